"""``manage.py run_worker``: the task queue and the scheduled jobs, in one process.

Run as many as the load needs (on PostgreSQL; SQLite takes one): tasks are taken with
``SELECT … FOR UPDATE SKIP LOCKED``, each scheduled run is claimed by one worker (see
``schedule.schedule_tick``), and a worker that dies leaves nothing behind that the others do not
pick up after the lease (``notifications.services.deliveries_recover``).

A lost database connection (PostgreSQL restarted, failed over, the backend killed) does not stop
the worker: the round of work that met it (schedule tick, task batch, readiness check) ends with
one warning, the connection is closed, and the worker waits (0.5 s doubling to 30 s, back to
0.5 s after a good round; a stop signal ends the wait) and carries on with a new connection.
Nothing is lost on the way:

1. A schedule claim and its task are written in one transaction: both or neither.
2. A task being claimed when the connection broke stays READY (the claim was not committed; if
   the commit got through but its answer was lost, it is left RUNNING as in 3).
3. A task being run stays RUNNING (django_tasks_db cannot record the outcome), its own writes
   rolled back or committed as far as it got; the ``deliveries_recover`` job puts it back to READY
   once ``XINFANG_TASK_LEASE_SECONDS`` have passed since it started, and it runs again
   (every task is idempotent; a delivery is resent with the same idempotency key).

Errors at start (``schedule_ensure``, a wrong ``DATABASE_URL``) still stop the worker at once.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from xinfang.notifications.services import deliveries_recover
from xinfang.worker.schedule import schedule_ensure, schedule_tick

BATCH = 100  # tasks between two looks at the schedule
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0  # seconds to wait after a lost database connection
logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the background worker: queued tasks (notifications) and scheduled jobs (deadline sweep, recovery)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--until-idle", action="store_true", help="exit once no task is ready (for cron and for tests)"
        )
        parser.add_argument("--worker-id", default="", help="unique name of this worker (default: host-pid)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] < 2:
            # The library logs every idle round ("Starting worker", "No more tasks"); tasks themselves still log.
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        worker_id = (options["worker_id"] or f"{socket.gethostname()}-{os.getpid()}")[:64]
        stop = threading.Event()
        current: list[Worker] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            """Finish the task in hand, then stop; a second signal stops at once."""
            stop.set()
            for worker in current:
                worker.running = False
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.work(worker_id, stop, current, until_idle=options["until_idle"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def work(self, worker_id: str, stop: threading.Event, current: list[Worker], *, until_idle: bool) -> None:
        self.stdout.write(f"worker {worker_id} started")
        schedule_ensure()
        deliveries_recover()  # a worker starting after a crash picks up what was left at once
        backoff = 0.0
        while not stop.is_set():
            try:
                busy = self.round(worker_id, current)
            except (OperationalError, InterfaceError) as error:
                backoff = min(backoff * 2, BACKOFF_MAX) or BACKOFF_FIRST
                logger.warning("worker %s lost its database connection (%s); retry in %gs", worker_id, error, backoff)
                connections.close_all()
                stop.wait(backoff)
                continue
            backoff = 0.0
            if busy:
                continue
            if until_idle:
                break
            stop.wait(settings.XINFANG_WORKER_POLL_SECONDS)
        self.stdout.write(f"worker {worker_id} stopped")

    def round(self, worker_id: str, current: list[Worker]) -> bool:
        """Enqueue the due jobs, run up to ``BATCH`` tasks; True when more are ready."""
        schedule_tick()
        worker = Worker(
            queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
            max_tasks=BATCH, worker_id=worker_id, excluded_queue_names=[],
        )  # fmt: skip
        current[:] = [worker]
        worker.run()
        return DBTaskResult.objects.ready().exists()
