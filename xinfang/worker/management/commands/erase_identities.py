"""Erase the identities of writers whose letters were finished longer ago than the retention period.

It does what the worker's daily ``retention`` job does to writers (``worker.retention``), and lives
here for that reason: the job erases citizens and anonymous callers (``accounts.retention``) and
writers by e-mail (``mailin.retention``), and so does this command.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.accounts.retention import identities_due, identities_erase
from xinfang.mailin.retention import senders_due, senders_erase


class Command(BaseCommand):
    help = (
        "Erase citizens' identities (and close their accounts), anonymous callers' numbers and e-mail writers' "
        "addresses (and close their accounts) once every letter of theirs was finished more than "
        "XINFANG_IDENTITY_RETENTION_DAYS ago (and a citizen has not signed in since), and the senders of e-mails "
        "that became no letter after XINFANG_MAILIN_REFUSED_DAYS. Letters and statistics stay. The worker does "
        "this daily; safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be erased and change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.XINFANG_IDENTITY_RETENTION_DAYS
        dry_run = options["dry_run"]
        try:
            counts = identities_due() if dry_run else identities_erase()
            senders = senders_due() if dry_run else senders_erase()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        verb = "would erase" if dry_run else "erased"
        self.stdout.write(
            f"{verb}: {counts.citizens} citizens' identities, {counts.callers} anonymous callers' numbers, "
            f"{senders.writers} e-mail writers' addresses, {senders.refused} senders of e-mails that became no "
            f"letter (retention period {days} days)"
        )
