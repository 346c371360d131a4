"""Precision and recall of the emergency recogniser on the labelled corpus, and precision, recall and F1
of the repeat-letter decision on the labelled pairs, per split (docs/analysis.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.analysis.evaluation import CORPUS, by_split, load
from xinfang.analysis.repeats import SCORED
from xinfang.analysis.repeats_eval import PAIRS, PROVINCE_LETTERS, at_scale, load_pairs, pairs_by_split


class Command(BaseCommand):
    help = (
        "Print the emergency recogniser's precision and recall on the development and held-out letters, "
        "and the repeat-letter decision's precision, recall and F1 on the development and held-out pairs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", type=Path, default=CORPUS)
        parser.add_argument("--pairs", type=Path, default=PAIRS)
        parser.add_argument("--errors", action="store_true", help="also list the letters and pairs it gets wrong")

    def handle(self, *args: Any, **options: Any) -> None:
        for split, scores in by_split(load(options["corpus"])).items():
            self.stdout.write(
                f"{split:<12} letters={scores.total:<4} tp={scores.true_positives:<3} fp={scores.false_positives:<3} "
                f"fn={scores.false_negatives:<3} precision={scores.precision:.3f} recall={scores.recall:.3f}"
            )
            if options["errors"]:
                for letter in scores.errors:
                    mark = "missed" if letter.label == "emergency" else "false alarm"
                    self.stdout.write(f"  {mark:<11} [{letter.kind}/{letter.language}] {letter.text}")
        pairs_read = load_pairs(options["pairs"])
        for split, pairs in pairs_by_split(pairs_read).items():
            self.stdout.write(
                f"repeats {split:<12} pairs={pairs.total:<4} tp={pairs.true_positives:<3} "
                f"fp={pairs.false_positives:<3} fn={pairs.false_negatives:<3} precision={pairs.precision:.3f} "
                f"recall={pairs.recall:.3f} f1={pairs.f1:.3f}"
            )
            if options["errors"]:
                for pair, value in pairs.errors:
                    mark = "missed" if pair.label == "same" else "false match"
                    self.stdout.write(f"  {mark:<11} {value:.3f} [{pair.kind}/{pair.language}] {pair.a} | {pair.b}")
        for scored in sorted({SCORED, 2 * SCORED, SCORED // 2}):
            for split in ("development", "held_out"):
                expected = at_scale([pair for pair in pairs_read if pair.split == split], scored)
                self.stdout.write(
                    f"repeats at scale {split:<12} letters={PROVINCE_LETTERS} scored={scored:<3} "
                    f"precision={expected.precision:.3f} recall={expected.recall:.3f} f1={expected.f1:.3f}"
                )
