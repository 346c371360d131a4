"""Mark letters due soon and overdue (with automatic supervision) and close lapsed ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.letters.sweeps import sweep_deadlines


class Command(BaseCommand):
    help = "Sweep deadlines once (idempotent; the worker runs it on a schedule)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, help="sweep as of this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep_deadlines(today=options["today"])
        self.stdout.write(f"due soon: {result.due_soon}, overdue: {result.overdue}, closed: {result.closed}")
