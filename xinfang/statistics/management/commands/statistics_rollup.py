"""Bring the statistics rollups up to date once (the worker runs the same job every 5 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.statistics.rollup import statistics_rollup


class Command(BaseCommand):
    help = "Count the letters' timeline into the statistics rollups once (idempotent; docs/statistics.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--settle",
            type=float,
            default=120.0,
            help="seconds an event must be old before the watermark passes it (0 when nothing else writes)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = statistics_rollup(settle=options["settle"], max_batches=1_000_000)
        self.stdout.write(f"statistics rollup: {result.events} events, {result.letters} letters counted")
