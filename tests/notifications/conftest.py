"""Notification fixtures: run the queued tasks in-process, local gateways, an English-speaking cast."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from unittest import mock

import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tests.conftest import PASSWORD, make_staff
from xinfang.accounts.models import Role, User
from xinfang.accounts.services import citizen_create
from xinfang.notifications import sms
from xinfang.orgs.models import Unit


def drain() -> None:
    """Run every task that is ready now, as a worker would, in this process and transaction.

    The worker closes "old" connections between tasks; inside a test's transaction that would
    close the test's own connection (PostgreSQL), so it is left open here.
    """
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()
    failed = list(DBTaskResult.objects.failed().values_list("task_path", "traceback"))
    assert not failed, failed


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> Iterator[None]:
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def english_citizen(db: None) -> User:
    return citizen_create(
        real_name="Li Si", id_number="110105198001010016", phone="13900139000", password=PASSWORD,
        phone_verified_at=timezone.now(), language="en",
    )  # fmt: skip


@pytest.fixture
def english_handler(tianhe: Unit) -> User:
    user = make_staff("handler-en", tianhe, Role.HANDLER)
    user.language = "en"
    user.email = "handler-en@tianhe.example"
    user.save(update_fields=["language", "email"])
    return user


@dataclass
class Gateway:
    """A local stand-in for the operator's SMS gateway; ``script`` says how to answer each request in turn."""

    url: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)
    script: list[str] = field(default_factory=list)  # "ok", "500", "400", "hang"
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_request: Callable[[int], None] | None = None

    def keys(self) -> list[str]:
        return [r["key"] for r in self.requests]


def _handler_for(gateway: Gateway) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with gateway.lock:
                gateway.requests.append(
                    {"key": self.headers["Idempotency-Key"], "to": body["to"], "text": body["text"],
                     "auth": self.headers["Authorization"]}
                )  # fmt: skip
                count = len(gateway.requests)
                answer = gateway.script[count - 1] if count <= len(gateway.script) else "ok"
            if gateway.on_request is not None:
                gateway.on_request(count)
            if answer == "hang":  # longer than the client's time-out; released when the test ends
                gateway.released.wait(10)
                return
            code = {"ok": 200, "500": 500, "400": 400}[answer]
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.released.set()
    server.shutdown()
    server.server_close()
