"""A worker whose database connection is cut (PostgreSQL restarted, failed over) carries on.

A real ``manage.py run_worker`` process (no ``--until-idle``) runs against the test database; the
test terminates every backend of that database but its own, which are the worker's.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.mailin.test_crash import Process
from xinfang.worker.models import ScheduledJob

pytestmark = pytest.mark.postgres_only
OTHERS = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
LOST = "lost its database connection"


def wait_for(condition: Callable[[], bool], worker: Process, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert worker.process.poll() is None, f"the worker exited:\n{worker.log.read_text(errors='replace')}"
        assert time.monotonic() < deadline, worker.log.read_text(errors="replace")
        time.sleep(0.1)


def sql_count(query: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return int(cursor.fetchone()[0])


def recover_runs() -> int:
    return ScheduledJob.objects.get(name="deliveries_recover").run_count


def idle() -> bool:
    """The worker has connected, run the jobs due at its start, and waits."""
    started = ScheduledJob.objects.filter(name="deliveries_recover", run_count__gte=1).exists()
    pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
    return started and not pending and sql_count(f"SELECT count(*) {OTHERS}") > 0


def test_a_worker_whose_connection_is_killed_goes_on_working_and_warns_at_most_once(
    needs_postgres: None, restores_what_the_flush_removes: None, transactional_db: None, tree: None, tmp_path: Path
) -> None:
    worker = Process(["manage.py", "run_worker", "-v", "0"], tmp_path / "worker.log")
    try:
        wait_for(idle, worker)
        assert sql_count(f"SELECT count(pg_terminate_backend(pid)) {OTHERS}") >= 1
        before = recover_runs()
        ScheduledJob.objects.filter(name="deliveries_recover").update(next_run_at=timezone.now())
        wait_for(lambda: recover_runs() > before, worker, seconds=10)  # claimed, queued and run
        worker.process.send_signal(signal.SIGTERM)
        assert worker.process.wait(timeout=10) == 0, worker.log.read_text(errors="replace")
    finally:
        if worker.process.poll() is None:
            worker.kill()
    # One warning for the lost round; none if the kill fell just before the task library's own
    # connection check, which reconnects quietly (a few milliseconds of each round).
    assert worker.log.read_text(errors="replace").count(LOST) <= 1, worker.log.read_text(errors="replace")
