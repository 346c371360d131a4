"""Create the demo cast of staff accounts (docs/demo.md)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.accounts.demo import DEMO_PASSWORD, seed_staff, staff_exists
from xinfang.audit.sealing import log_seal
from xinfang.letters.demo import seed_letters
from xinfang.orgs.choices import UnitLevel


class Command(BaseCommand):
    help = "Create demo staff accounts for the 12389 platform, Guangdong and its 21 cities (skips existing ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any staff account exists, so that `make run` can call this every time.",
        )
        parser.add_argument("--letters", type=int, default=2000, help="how many demo letters (default 2000)")
        parser.add_argument("--no-letters", action="store_true", help="staff accounts only")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and staff_exists():
            self.stdout.write("staff accounts exist: demo data not seeded")
            return
        self.seed_staff()
        if not options["no_letters"]:
            self.seed_letters(options["letters"])
        self.seal()

    def seed_staff(self) -> None:
        result = seed_staff()
        by_level = Counter(user.unit.level for user in result.created if user.unit is not None)
        levels = ", ".join(f"{by_level[level]} {level}" for level in UnitLevel.values if by_level[level])
        self.stdout.write(
            f"demo staff: {len(result.created)} created ({levels or 'none'}), {len(result.existing)} already there; "
            f"password for all: {DEMO_PASSWORD} (logins in docs/demo.md)"
        )

    def seed_letters(self, count: int) -> None:
        self.stdout.write(f"pushing {count} demo letters through the services over the last 150 days…")
        result = seed_letters(count=count)
        states = ", ".join(f"{state}: {n}" for state, n in sorted(result.by_state.items()))
        self.stdout.write(f"demo letters: {result.letters} ({states})")

    def seal(self) -> None:
        """Seal the log now: the worker seals every few seconds, but only after it has sent the
        demo's backlog of notifications, and the demo's receipts should verify at once."""
        head = log_seal()
        if head is not None:
            self.stdout.write(f"transparency log sealed: {head.tree_size} entries")
