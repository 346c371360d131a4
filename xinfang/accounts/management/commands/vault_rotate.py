"""Re-encrypt every identity value under the current vault key and recompute the look-up hashes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.vault import VaultError
from xinfang.vault.rotation import DEFAULT_BATCH_SIZE, rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every vault value still under an older key of XINFANG_VAULT_KEYS with the first key, "
        "and rewrite look-up hashes made with another XINFANG_LOOKUP_KEY. Safe to run again; "
        "afterwards the older keys can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help=f"rows per transaction ({DEFAULT_BATCH_SIZE})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            counts = rotate_all(batch_size=options["batch_size"])
        except VaultError as exc:
            raise CommandError(f"stopped: {exc}") from exc
        for c in counts:
            self.stdout.write(
                f"{c.model}: {c.rows} rows, {c.reencrypted} values re-encrypted, {c.reindexed} look-up hashes rewritten"
            )
        total = sum(c.reencrypted for c in counts)
        self.stdout.write(f"done: {total} values re-encrypted in {sum(c.rows for c in counts)} rows")
