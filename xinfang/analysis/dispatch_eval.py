"""How well the pre-dispatch suggestions match a labelled corpus (``manage.py dispatch_eval``).

The corpus (``tests/analysis/data/dispatch.jsonl``) is split once, by a hash of each letter's id:
a third is held out and never looked at while tuning the lexicons. Figures are reported per part.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from xinfang.analysis.suggest import find_officer, letter_types, police_types, suggest_place
from xinfang.letters.accusation import units_named_in
from xinfang.orgs.selectors import bureau_of
from xinfang.routing.selectors import place_of
from xinfang.vocabulary import ACCUSATION_TYPES

CORPUS = Path(settings.BASE_DIR) / "tests" / "analysis" / "data" / "dispatch.jsonl"
Row = dict[str, Any]


def load(path: Path = CORPUS) -> list[Row]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def part(row: Row) -> str:
    """``held_out`` for a third of the letters, chosen by a hash of the id (stable across runs)."""
    return "held_out" if int(hashlib.sha256(row["id"].encode()).hexdigest(), 16) % 3 == 0 else "dev"


@dataclass
class Score:
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, row: Row, got: object) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.misses.append(f"{row['id']}: got {got!r}")

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0


def evaluate(rows: Iterable[Row], *, with_units: bool = True) -> dict[str, Score]:
    """Place (where the text names one), police type top-1, letter type, and (with the unit tree
    loaded) the accused unit and the officer on complaints and reports."""
    scores = {name: Score() for name in ("place", "police_type", "letter_type", "accused", "officer")}
    for row in rows:
        text = row["text"]
        if row["division_code"]:
            place = suggest_place(text, jurisdiction=row["mailbox"])
            got = place.value if place else ""
            scores["place"].add(got == row["division_code"], row, got)
        types = police_types(text)
        scores["police_type"].add(bool(types) and types[0].value == row["police_type"], row, types[:1])
        kinds = letter_types(text)
        scores["letter_type"].add(bool(kinds) and kinds[0].value == row["letter_type"], row, kinds[:1])
        if row["letter_type"] in ACCUSATION_TYPES:
            scores["officer"].add(_officer_ok(text, row["officer"]), row, find_officer(text))
            if with_units:
                got = _accused(text, row["mailbox"])
                scores["accused"].add(got == row["accused"], row, got)
    return scores


def _accused(text: str, mailbox: str) -> str:
    place = place_of(mailbox) if mailbox.isdigit() else None
    mentions = units_named_in(text, near=place.bureau if place else None)
    return bureau_of(mentions[0].unit).code if mentions else ""


def _officer_ok(text: str, label: dict[str, str] | None) -> bool:
    found = find_officer(text)
    if label is None:
        return found is None or not (found.name or found.badge)  # a post alone names no one in particular
    if found is None:
        return False
    return all(not label[key] or getattr(found, key) == label[key] for key in ("name", "badge", "post"))
