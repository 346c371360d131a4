"""Erase the identities of writers whose letters were finished longer ago than the retention period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.accounts.retention import identities_due, identities_erase


class Command(BaseCommand):
    help = (
        "Erase citizens' identities (and close their accounts) and anonymous callers' numbers once every letter "
        "of theirs was finished more than XINFANG_IDENTITY_RETENTION_DAYS ago (and a citizen has not signed in "
        "since). Letters and statistics stay. The worker does this daily; safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be erased and change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.XINFANG_IDENTITY_RETENTION_DAYS
        try:
            counts = identities_due() if options["dry_run"] else identities_erase()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        verb = "would erase" if options["dry_run"] else "erased"
        self.stdout.write(
            f"{verb}: {counts.citizens} citizens' identities, {counts.callers} anonymous callers' numbers "
            f"(retention period {days} days)"
        )
