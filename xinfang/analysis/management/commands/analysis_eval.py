"""Precision and recall of the emergency recogniser on the labelled corpus, per split (docs/analysis.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.analysis.evaluation import CORPUS, by_split, load


class Command(BaseCommand):
    help = "Print the emergency recogniser's precision and recall on the development and held-out letters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", type=Path, default=CORPUS)
        parser.add_argument("--errors", action="store_true", help="also list the letters it gets wrong")

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
