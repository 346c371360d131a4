"""Measuring "the same matter again" on labelled pairs (docs/analysis.md; ``manage.py analysis_eval``).

The pairs are JSON Lines: ``a`` and ``b`` (two letters' texts), ``label`` (``same`` or
``different``), ``kind`` (how the second was re-sent, or what the two share), ``language`` and
``split`` (``development`` or ``held_out``, fixed in the file when the pairs were written).
Pairs are compared by their texts alone (``repeats.sign_text``): the writer, a key the product also
uses, is not in the pairs, so the figures are those of the text and the keys read from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from xinfang.analysis.repeats import THRESHOLD, sign_text, similarity

PAIRS = Path(settings.BASE_DIR) / "tests" / "analysis" / "data" / "repeat_pairs.jsonl"
SAME = "same"


@dataclass(frozen=True)
class Pair:
    id: str
    a: str
    b: str
    label: str
    kind: str
    language: str
    split: str


@dataclass
class PairScores:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    errors: list[tuple[Pair, float]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        said = self.true_positives + self.false_positives
        return self.true_positives / said if said else 1.0

    @property
    def recall(self) -> float:
        same = self.true_positives + self.false_negatives
        return self.true_positives / same if same else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def total(self) -> int:
        return self.true_positives + self.false_positives + self.false_negatives + self.true_negatives


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    with path.open(encoding="utf-8") as lines:
        return [Pair(**json.loads(line)) for line in lines if line.strip()]


def pair_score(pair: Pair) -> float:
    return similarity(sign_text(pair.a), sign_text(pair.b)).score


def score_pairs(pairs: list[Pair], threshold: float = THRESHOLD) -> PairScores:
    scores = PairScores()
    for pair in pairs:
        value = pair_score(pair)
        said, same = value >= threshold, pair.label == SAME
        if said and same:
            scores.true_positives += 1
        elif said:
            scores.false_positives += 1
            scores.errors.append((pair, value))
        elif same:
            scores.false_negatives += 1
            scores.errors.append((pair, value))
        else:
            scores.true_negatives += 1
    return scores


def pairs_by_split(pairs: list[Pair]) -> dict[str, PairScores]:
    return {split: score_pairs([p for p in pairs if p.split == split]) for split in ("development", "held_out")}
