"""Create the demo cast of staff accounts (docs/demo.md)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from xinfang.accounts.demo import DEMO_PASSWORD, seed_staff, staff_exists
from xinfang.audit.sealing import log_seal
from xinfang.letters.demo import seed_letters
from xinfang.notifications.quiet import inbox_only
from xinfang.orgs.choices import UnitLevel
from xinfang.orgs.models import Mailbox
from xinfang.publication.demo import seed_publications

# Demo content, as administrators write it in the mailbox admin (not translated: it is data).
DEMO_MAILBOX_PAGE = {
    "greeting": "欢迎您给我写信。您反映的每一件事，我们都会认真核查、依法办理，并在法定期限内答复您。",
    "greeting_en": "Thank you for writing. Every matter you raise is checked and handled under the law, "
    "and you will have a reply within the legal time limit.",
    "office_phone": "020-83113000",
    "office_hours": "工作日 9:00–12:00、14:30–17:30",
    "office_hours_en": "Working days 9:00–12:00 and 14:30–17:30",
}


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
        self.seed_mailbox_page()
        if not options["no_letters"]:
            # The demo's past months notify the inboxes only: thousands of SMS and e-mails about them
            # would bury what a newcomer's own steps send (docs/demo.md, "Text messages and e-mail").
            with inbox_only():
                self.seed_letters(options["letters"])
                self.stdout.write(
                    f"demo publications: {seed_publications()} letters published (consent given, replied)"
                )
            # The public figures read the rollups, which the worker keeps every 5 minutes: count the
            # demo letters now, so that a new user sees them on first run.
            call_command("statistics_rollup", settle=0, stdout=self.stdout)
        self.seal()

    def seed_staff(self) -> None:
        result = seed_staff()
        by_level = Counter(user.unit.level for user in result.created if user.unit is not None)
        levels = ", ".join(f"{by_level[level]} {level}" for level in UnitLevel.values if by_level[level])
        self.stdout.write(
            f"demo staff: {len(result.created)} created ({levels or 'none'}), {len(result.existing)} already there; "
            f"password for all: {DEMO_PASSWORD} (logins in docs/demo.md)"
        )

    def seed_mailbox_page(self) -> None:
        """What the Guangdong mailbox page shows besides its intro, unless an administrator set it."""
        updated = Mailbox.objects.filter(slug="gd", greeting="").update(**DEMO_MAILBOX_PAGE)
        if updated:
            self.stdout.write("demo mailbox page: greeting, office phone and hours of the Guangdong mailbox")

    def seed_letters(self, count: int) -> None:
        self.stdout.write(f"pushing {count} demo letters through the services over the last 150 days…")
        result = seed_letters(count=count)
        states = ", ".join(f"{state}: {n}" for state, n in sorted(result.by_state.items()))
        self.stdout.write(f"demo letters: {result.letters} ({states})")

    def seal(self) -> None:
        """Seal the log now: the worker seals every few seconds, but only after it has worked through
        the demo's backlog of notifications, and the demo's receipts should verify at once."""
        head = log_seal()
        if head is not None:
            self.stdout.write(f"transparency log sealed: {head.tree_size} entries")
