"""``manage.py run_worker``: the task queue and the scheduled jobs, in one process.

Run as many as the load needs (on PostgreSQL; SQLite takes one): tasks are taken with
``SELECT … FOR UPDATE SKIP LOCKED``, each scheduled run is claimed by one worker (see
``schedule.schedule_tick``), and a worker that dies leaves nothing behind that the others do not
pick up after the lease (``notifications.services.deliveries_recover``).
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
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from xinfang.notifications.services import deliveries_recover
from xinfang.worker.schedule import schedule_ensure, schedule_tick

BATCH = 100  # tasks between two looks at the schedule


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
        while not stop.is_set():
            schedule_tick()
            worker = Worker(
                queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                max_tasks=BATCH, worker_id=worker_id, excluded_queue_names=[],
            )  # fmt: skip
            current[:] = [worker]
            worker.run()
            if DBTaskResult.objects.ready().exists():
                continue
            if until_idle:
                break
            stop.wait(settings.XINFANG_WORKER_POLL_SECONDS)
        self.stdout.write(f"worker {worker_id} stopped")
