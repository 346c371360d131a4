"""Serve the whole product on one machine: the web server and, once it exists, the worker.

This is how ``make run`` ends. Each part runs as a child process, so one part failing does not
leave the other running unseen.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.accounts.demo import DEMO_PASSWORD, FEATURED_CAST, guangdong_cities
from xinfang.notifications import demo_outbox
from xinfang.orgs.models import Unit

STOP_TIMEOUT_SECONDS = 10


def served_at(addr: str) -> str:
    """The address people reach the product at, for links in messages: runserver's ``[host:]port``
    with the machine's own name for a wildcard host (``0.0.0.0``, ``::``)."""
    host, _sep, port = addr.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if host in {"0.0.0.0", "::"}:  # noqa: S104  # nosec B104 (reading the address, not binding to it)
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Run the development web server and the background worker, printing the URL and the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to serve on (default %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        addr: str = options["addr"]
        self.print_banner(addr)
        stop = threading.Event()

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_sigterm)
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            site = served_at(addr)
            children["runserver"] = self.start("runserver", "--noreload", addr, site_url=site)
            if "run_worker" in get_commands():
                children["run_worker"] = self.start("run_worker", site_url=site)
            ended = self.wait_for_first_exit(children, stop)
        except KeyboardInterrupt:
            ended = None
        finally:
            self.stop_all(list(children.values()))
        if ended is not None:
            raise CommandError(f"{ended} stopped by itself (status {children[ended].returncode}); everything stopped")

    def wait_for_first_exit(self, children: dict[str, subprocess.Popen[bytes]], stop: threading.Event) -> str | None:
        """The name of the first child to exit on its own, or None when asked to stop."""
        while not stop.wait(0.5):
            for name, child in children.items():
                if child.poll() is not None:
                    return name
        return None

    def print_banner(self, addr: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"xinfang: http://{addr}/"))
        self.stdout.write(f"  Django admin: http://{addr}/admin/")
        self.stdout.write(f"  demo logins (password for all: {DEMO_PASSWORD}):")
        units = dict(Unit.objects.filter(code__in={p.unit_code for p in FEATURED_CAST}).values_list("code", "name"))
        for person in FEATURED_CAST:
            roles = ", ".join(person.roles) + (" + Django admin" if person.superuser else "")
            where = units.get(person.unit_code, person.unit_code)
            self.stdout.write(f"    {person.username:<16} {roles:<30} {where}")
        cities = guangdong_cities()
        if cities:
            self.stdout.write(
                f"    and in each of the {len(cities)} Guangdong cities: <city>-acceptor, <city>-handler, "
                "<city>-leader, <city>-inspector (e.g. guangzhou-handler); full list in docs/demo.md"
            )
        if settings.XINFANG_DEMO:
            self.print_outbox(served_at(addr))
        self.stdout.write("  stop with Ctrl-C")

    def print_outbox(self, site: str) -> None:
        """Where text messages and e-mail land in the demo, and the staff page that shows them."""
        landing = demo_outbox.landing()
        self.stdout.write("  text messages and e-mail are not sent in the demo:")
        self.stdout.write(f"    SMS (sign-up codes too) land in {landing.sms}")
        self.stdout.write(f"    e-mail lands in {landing.email}")
        self.stdout.write(f"    staff read both, newest first, at {site}/console/demo/outbox/")

    def start(self, *command: str, site_url: str = "") -> subprocess.Popen[bytes]:
        """Run one part; links in the messages it writes point at ``site_url``, unless the environment names one."""
        manage = str(settings.BASE_DIR / "manage.py")
        env = dict(os.environ)
        if site_url:
            env.setdefault("XINFANG_SITE_URL", site_url)
        return subprocess.Popen([sys.executable, manage, *command], env=env)  # noqa: S603 (our own manage.py)

    def stop_all(self, children: list[subprocess.Popen[bytes]]) -> None:
        """Ask every child still running to stop, then kill those that do not within the timeout.

        On Ctrl-C the terminal has already sent SIGINT to the children too; SIGTERM is then
        harmless. Further Ctrl-C presses are ignored meanwhile so the shutdown is not cut short.
        """
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
