"""How well the pre-dispatch suggestions match a labelled corpus (``manage.py dispatch_eval``).

The corpus (``tests/analysis/data/dispatch.jsonl``) is split once, by a hash of each letter's id:
a third is held out and never looked at while tuning the lexicons. Figures are reported per part.

Besides each suggestion, the end result: the unit the routing engine proposes when the front desk
takes every suggestion (place, police type, letter type, and the accused unit the desk is asked to
confirm), compared with the unit the letter should reach (``expected_unit``, labelled by reading
the letter against docs/routing.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from xinfang.analysis.suggest import find_officer, letter_types, police_types, pre_dispatch, suggest_place
from xinfang.letters.accusation import accused_named_in, propose_accused
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.recusal import recusal_floor
from xinfang.routing.engine import RoutingRequest, propose
from xinfang.routing.selectors import place_of
from xinfang.vocabulary import ACCUSATION_TYPES

CORPUS = Path(settings.BASE_DIR) / "tests" / "analysis" / "data" / "dispatch.jsonl"
Row = dict[str, Any]
FIGURES = (
    "place", "police_type", "letter_type", "accused", "officer", "routed_unit", "routed_bureau", "routed_entered",
)  # fmt: skip


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
    loaded) the accused unit and the officer on complaints and reports, and the routed unit (exact,
    and its bureau) on every letter."""
    scores = {name: Score() for name in FIGURES}
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
                got = _accused(text, row["mailbox"], row["letter_type"])
                scores["accused"].add(got == row["accused"], row, got)
        if with_units:
            routed, why = routed_unit(row)
            expected = row["expected_unit"]
            scores["routed_unit"].add(routed == expected, row, why)
            scores["routed_bureau"].add(routed.partition("-")[0] == expected.partition("-")[0], row, why)
            entered, why = routed_as_entered(row)
            scores["routed_entered"].add(entered == expected, row, why)
    return scores


def _accused(text: str, mailbox: str, letter_type: str) -> str:
    place = place_of(mailbox) if mailbox.isdigit() else None
    named = accused_named_in(text, letter_type=letter_type, near=place.bureau if place else None)
    return recusal_floor(named.unit).code if named else ""


def mailbox_of(code: str) -> Mailbox:
    """The mailbox a corpus letter came through: its owner's code, or the national 12389 platform ("")."""
    if not code:
        return Mailbox.objects.select_related("owner").get(is_national=True)
    return Mailbox.objects.select_related("owner").get(owner__code=code, is_active=True)


def routed_unit(row: Row) -> tuple[str, str]:
    """The unit routing proposes when the desk takes the suggestions, and a line saying from what.

    1. The letter as received: its text, through its mailbox, with no place or police type, of the
       labelled type (what the writer chose).
    2. The desk applies the place and police-type suggestions to the blank fields, and takes the
       letter-type suggestion when there is one.
    3. For a complaint or report, the accused unit is the one the desk is asked to confirm
       (``letters.accusation.propose_accused``, reading the filled place).
    4. ``routing.engine.propose`` with those fields.
    """
    mailbox = mailbox_of(row["mailbox"])
    letter = Letter(mailbox=mailbox, subject="", text=row["text"], letter_type=row["letter_type"])
    found = pre_dispatch(letter)
    letter.division_code = found.place.value if found.place else ""
    letter.police_type = found.police_type.value if found.police_type else ""
    letter.letter_type = found.letter_type.value if found.letter_type else row["letter_type"]
    accused = propose_accused(letter).unit if letter.letter_type in ACCUSATION_TYPES else None
    request = RoutingRequest(
        mailbox=mailbox,
        letter_type=letter.letter_type,
        division_code=letter.division_code,
        police_type=letter.police_type,
        accused_unit=accused,
        text=row["text"],
    )
    unit = propose(request).unit.code
    fields = f"{letter.letter_type} {letter.division_code or '-'} {letter.police_type or '-'}"
    return unit, f"{unit} ({fields}, accused {accused.code if accused else '-'}; expected {row['expected_unit']})"


def routed_as_entered(row: Row) -> tuple[str, str]:
    """The unit routing proposes once the desk has entered the letter's fields as labelled (place,
    police type, letter type, the accused unit): the routing rules alone, without the reading of
    the text that ``routed_unit`` adds (the measure of issue 20's "exact unit on letters we keep
    aside", taken with the fields an acceptor enters)."""
    accused = Unit.objects.get(code=row["accused"]) if row["accused"] else None
    request = RoutingRequest(
        mailbox=mailbox_of(row["mailbox"]),
        letter_type=row["letter_type"],
        division_code=row["division_code"],
        police_type=row["police_type"],
        accused_unit=accused if row["letter_type"] in ACCUSATION_TYPES else None,
        text=row["text"],
    )
    unit = propose(request).unit.code
    return unit, f"{unit} (as entered: accused {row['accused'] or '-'}; expected {row['expected_unit']})"


def _officer_ok(text: str, label: dict[str, str] | None) -> bool:
    found = find_officer(text)
    if label is None:
        return found is None or not (found.name or found.badge)  # a post alone names no one in particular
    if found is None:
        return False
    return all(not label[key] or getattr(found, key) == label[key] for key in ("name", "badge", "post"))
