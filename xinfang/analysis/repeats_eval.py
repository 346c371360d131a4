"""Measuring "the same matter again" on labelled pairs (docs/analysis.md; ``manage.py analysis_eval``).

The pairs are JSON Lines: ``a`` and ``b`` (two letters' texts), ``label`` (``same`` or
``different``), ``kind`` (how the second was re-sent, or what the two share), ``language`` and
``split`` (``development`` or ``held_out``, fixed in the file when the pairs were written).
Pairs are compared by their texts alone (``repeats.sign_text``): the writer, a key the product also
uses, is not in the pairs, so the figures are those of the text and the keys read from it.

:func:`at_scale` adds what the look-up loses among many letters: it scores only the :data:`SCORED`
letters sharing the most keys, and among a large province's letters some share a band by chance.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from xinfang.analysis.repeats import (
    BAND_KIND,
    BANDS,
    SCORED,
    SELECTIVE_RANK,
    THRESHOLD,
    Signature,
    sign_text,
    similarity,
)

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
    # Counts, or expected counts (:func:`at_scale`).
    true_positives: float = 0
    false_positives: float = 0
    false_negatives: float = 0
    true_negatives: float = 0
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
        return round(self.true_positives + self.false_positives + self.false_negatives + self.true_negatives)


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


# The look-up at scale: the largest province's letters at 1,000,000 letters (17.7 %, the benchmark's
# spread), each unrelated one sharing a band with a new letter as often as measured on the corpus
# (0.44 % of pairs share at least one band: docs/benchmarks.md).
PROVINCE_LETTERS = 177_000
COLLISION = 0.0044


def rank(a: Signature, b: Signature) -> int:
    """How the look-up ranks ``a`` for ``b``: the bands they share, a shared selective key counting as
    :data:`~xinfang.analysis.repeats.SELECTIVE_RANK`."""
    shared = set(a.index_rows()) & set(b.index_rows())
    return sum(1 if kind == BAND_KIND else SELECTIVE_RANK for kind, _key in shared)


def chance_found(shared: int, scored: int = SCORED, letters: int = PROVINCE_LETTERS) -> float:
    """The chance that a letter of rank ``shared`` is among the ``scored`` a look-up keeps, when each of
    ``letters`` unrelated letters shares each band by chance (ties go to the newest: a random place)."""
    if shared == 0:
        return 0.0
    band = 1 - (1 - COLLISION) ** (1 / BANDS)

    def sharing(count: int) -> float:  # expected unrelated letters sharing exactly ``count`` bands
        return letters * math.comb(BANDS, count) * band**count * (1 - band) ** (BANDS - count)

    above = sum(sharing(count) for count in range(shared + 1, BANDS + 1))
    tied = sharing(shared) if shared <= BANDS else 0.0
    return max(0.0, min(1.0, (scored - above) / (tied + 1)))


def at_scale(pairs: list[Pair], scored: int = SCORED, letters: int = PROVINCE_LETTERS) -> PairScores:
    """The pairs' expected counts when the earlier letter must also be among the ``scored`` found."""
    true_positives = false_positives = 0.0
    for pair in pairs:
        a, b = sign_text(pair.a), sign_text(pair.b)
        if similarity(a, b).score < THRESHOLD:
            continue
        found = chance_found(rank(a, b), scored, letters)
        if pair.label == SAME:
            true_positives += found
        else:
            false_positives += found
    same = sum(pair.label == SAME for pair in pairs)
    return PairScores(true_positives, false_positives, same - true_positives, len(pairs) - same - false_positives)
