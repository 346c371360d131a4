"""``manage.py mail_in``: the inbound SMTP endpoint for letters by e-mail (docs/api.md).

Run one (or several, on PostgreSQL) beside the worker, behind the relay that the mailboxes' MX
records point at. It only stores messages; the worker turns them into letters and answers.
Stops on SIGTERM or SIGINT after the conversations in hand; a SIGKILL loses nothing that was
answered 250 (docs/decisions/0006-letters-by-e-mail-smtp-and-spool.md).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from xinfang.mailin.smtp import controller


class Command(BaseCommand):
    help = "Receive letters by e-mail: an SMTP server that spools each message for the worker."
    requires_system_checks: list[str] = []  # a long-running server: `manage.py check --deploy` is the place for checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.XINFANG_MAILIN_HOST, help="address to listen on")
        parser.add_argument("--port", type=int, default=settings.XINFANG_MAILIN_PORT, help="port to listen on")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        server = controller(host=options["host"], port=options["port"])
        server.start()
        self.stdout.write(f"mail_in: listening on {options['host']}:{options['port']}", ending="\n")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            server.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
