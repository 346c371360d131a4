"""Load the real unit tree from the committed divisions file (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinfang.orgs.services import ensure_default_mailboxes, load_units


class Command(BaseCommand):
    help = "Create the Ministry, the 32 provincial organs, every city and county bureau and their departments."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_units()
        self.stdout.write(f"units created: {result.created}, departments created: {result.departments_created}")
        self.stdout.write(f"mailboxes created: {ensure_default_mailboxes()}")
        for line in result.differing:
            self.stdout.write(self.style.WARNING(f"differs from the data file (kept as is): {line}"))
