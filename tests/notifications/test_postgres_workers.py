"""Several workers on PostgreSQL: nothing done twice, nothing lost when one is killed.

Real worker processes (``manage.py run_worker``) run against the test database and a local SMS
gateway that records every request's ``Idempotency-Key``. Threads released together by a barrier
race the claims themselves. SQLite serialises writers and takes one worker, so these need PostgreSQL.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.letters.conftest import submit
from tests.notifications.conftest import Gateway
from xinfang.accounts.models import User
from xinfang.deadlines.calendar import forget_cached_years
from xinfang.deadlines.services import holidays_load_from_chinese_calendar
from xinfang.letters.models import Letter
from xinfang.notifications import sms
from xinfang.notifications.models import Channel, Delivery, Kind
from xinfang.notifications.recipients import Plan
from xinfang.notifications.services import delivery_attempt, notify
from xinfang.orgs.models import Mailbox
from xinfang.worker.models import ScheduledJob
from xinfang.worker.schedule import JOBS, schedule_ensure, schedule_tick

pytestmark = pytest.mark.postgres_only
ROUNDS = 20
WAIT_SECONDS = 240


@pytest.fixture
def committed_letter(
    needs_postgres: None, restores_what_the_flush_removes: None, transactional_db: None, tree: None,
    citizen: User, gd_mailbox: Mailbox,
) -> Letter:  # fmt: skip
    holidays_load_from_chinese_calendar(actor=None)
    forget_cached_years()
    return submit(citizen, gd_mailbox).letter


def enqueue_messages(letter: Letter, count: int) -> None:
    for number in range(count):
        notify(plan=Plan(Kind.MESSAGE, writer=True, values={"reason": "—"}), letter=letter, source=f"load:{number}")


def start_worker(gateway: Gateway, log: Path, **env: str) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "XINFANG_VAR_DIR": str(log.parent),
        "XINFANG_SMS_BACKEND": "http",
        "XINFANG_SMS_GATEWAY_URL": gateway.url,
        "XINFANG_SMS_PER_HOUR": "0",  # one recipient gets them all here: no throttling
        "XINFANG_LOG_LEVEL": "WARNING",
        # The test process's keys: the worker decrypts what the test wrote (no key lives in the code).
        "XINFANG_SECRET_KEY": settings.SECRET_KEY,
        "XINFANG_VAULT_KEYS": ",".join(settings.XINFANG_VAULT_KEYS),
        "XINFANG_LOOKUP_KEY": settings.XINFANG_LOOKUP_KEY,
        "XINFANG_LOG_SIGNING_KEY": settings.XINFANG_LOG_SIGNING_KEY,
        **env,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker", "--until-idle", "-v", "0"],
            env=environment, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_all(*workers: subprocess.Popen[bytes], log: Path) -> None:
    for worker in workers:
        assert worker.wait(timeout=WAIT_SECONDS) == 0, log.read_text(errors="replace")[-4000:]


def assert_each_delivered_once_effective(gateway: Gateway, *, duplicates_allowed: int) -> None:
    sms_rows = Delivery.objects.filter(channel=Channel.SMS)
    assert set(sms_rows.values_list("status", flat=True)) == {Delivery.Status.SENT}
    expected = {str(key) for key in sms_rows.values_list("idempotency_key", flat=True)}
    received = Counter(gateway.keys())
    assert set(received) == expected  # every notification reached the gateway, and nothing else did
    repeated = sum(n - 1 for n in received.values())
    assert repeated <= duplicates_allowed, received.most_common(3)
    assert not DBTaskResult.objects.filter(status__in=["RUNNING", "READY", "FAILED"]).exists()


def test_two_worker_processes_deliver_each_notification_once_and_run_each_job_once(
    committed_letter: Letter, gateway: Gateway, tmp_path: Path
) -> None:
    enqueue_messages(committed_letter, 120)
    log = tmp_path / "workers.log"
    first, second = start_worker(gateway, log), start_worker(gateway, log)
    wait_all(first, second, log=log)
    assert_each_delivered_once_effective(gateway, duplicates_allowed=0)
    assert len(gateway.requests) == Delivery.objects.filter(channel=Channel.SMS).count() == 121
    assert ScheduledJob.objects.get(name="sweep_deadlines").run_count == 1


def test_a_worker_killed_mid_batch_loses_nothing_and_the_gateway_sees_each_key_once_effective(
    committed_letter: Letter, gateway: Gateway, tmp_path: Path
) -> None:
    enqueue_messages(committed_letter, 200)
    halfway = threading.Event()
    gateway.on_request = lambda count: halfway.set() if count >= 60 else None
    log = tmp_path / "workers.log"
    doomed = start_worker(gateway, log)
    assert halfway.wait(WAIT_SECONDS), log.read_text(errors="replace")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    delivered_before = len(set(gateway.keys()))
    assert delivered_before < 201, "the worker finished before it was killed: nothing was tested"
    # The successor takes whatever the dead worker held once its claim is older than the lease:
    # here one second of real time, which must pass between the two processes.
    time.sleep(1.5)
    successor = start_worker(gateway, log, XINFANG_TASK_LEASE_SECONDS="1")
    wait_all(successor, log=log)
    assert_each_delivered_once_effective(gateway, duplicates_allowed=1)
    assert len(set(gateway.keys())) == 201


def race(*moves: Callable[[], object]) -> list[object]:
    """Run each move in its own thread and connection, released together."""
    barrier = threading.Barrier(len(moves))
    outcomes: list[object] = [None] * len(moves)

    def run(index: int, move: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = move()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, move)) for i, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a move never finished (deadlock?)"
    return outcomes


def test_two_workers_ticking_at_once_enqueue_each_scheduled_run_once(committed_letter: Letter) -> None:
    schedule_ensure()
    for _round in range(ROUNDS):
        ScheduledJob.objects.update(next_run_at=timezone.now())
        outcomes = race(schedule_tick, schedule_tick)
        claimed = [name for names in outcomes for name in names]  # type: ignore[attr-defined]
        assert sorted(claimed) == sorted(JOBS), outcomes  # every job once, by one of the two


@override_settings(NOTIFICATIONS_THROTTLE={"sms": (0, 0), "email": (0, 0)})
def test_two_workers_holding_the_same_delivery_send_it_once(committed_letter: Letter) -> None:
    enqueue_messages(committed_letter, ROUNDS)
    for delivery in Delivery.objects.filter(channel=Channel.SMS, status=Delivery.Status.PENDING):
        sms.outbox.clear()
        attempt = functools.partial(delivery_attempt, delivery_id=delivery.pk)
        outcomes = race(attempt, attempt)
        assert sorted(map(str, outcomes)) == ["not due or taken", "sent"]
        assert len(sms.outbox) == 1
