"""``manage.py verify_receipt FILE [--text FILE]``: check a writer's receipt with this platform's key; 1 if invalid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.audit.outcomes import receipt_outcomes
from xinfang.audit.receipts import check_receipt
from xinfang.audit.sealing import public_key_hex


class Command(BaseCommand):
    help = (
        "Verify a receipt (signature, inclusion proof, and with --text the letter's text); exit 1 if it is not valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the receipt (JSON) as downloaded")
        parser.add_argument("--text", help="a file holding the letter's text (UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            receipt = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            text = Path(options["text"]).read_text(encoding="utf-8") if options["text"] else None
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        result = check_receipt(receipt, text=text, trusted_keys=frozenset({public_key_hex()}))
        message = receipt_outcomes()[result.code]
        if not result.valid:
            self.stderr.write(message)
            raise SystemExit(1)
        self.stdout.write(message)
