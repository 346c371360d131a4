"""Measuring the emergency recogniser on a labelled corpus (docs/analysis.md; ``manage.py analysis_eval``).

The corpus is JSON Lines, one letter a line: ``text``, ``label`` (``emergency`` or
``not_emergency``), ``kind``, ``language`` and ``split`` (``development`` or ``held_out``). The
split is stored in the file, made once when the letters were written, so every run measures the
same letters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from xinfang.analysis.emergency import read

CORPUS = Path(settings.BASE_DIR) / "tests" / "analysis" / "data" / "emergency_letters.jsonl"
EMERGENCY = "emergency"


@dataclass(frozen=True)
class Letter:
    text: str
    label: str
    kind: str
    language: str
    split: str


@dataclass
class Scores:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    errors: list[Letter] = field(default_factory=list)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        emergencies = self.true_positives + self.false_negatives
        return self.true_positives / emergencies if emergencies else 1.0

    @property
    def total(self) -> int:
        return self.true_positives + self.false_positives + self.false_negatives + self.true_negatives


def load(path: Path = CORPUS) -> list[Letter]:
    with path.open(encoding="utf-8") as lines:
        return [Letter(**json.loads(line)) for line in lines if line.strip()]


def score(letters: Iterable[Letter], flags: Callable[[str], bool] = lambda text: read(text).flagged) -> Scores:
    scores = Scores()
    for letter in letters:
        flagged, emergency = flags(letter.text), letter.label == EMERGENCY
        if flagged and emergency:
            scores.true_positives += 1
        elif flagged:
            scores.false_positives += 1
            scores.errors.append(letter)
        elif emergency:
            scores.false_negatives += 1
            scores.errors.append(letter)
        else:
            scores.true_negatives += 1
    return scores


def by_split(letters: list[Letter]) -> dict[str, Scores]:
    return {split: score(x for x in letters if x.split == split) for split in ("development", "held_out")}
