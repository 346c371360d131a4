"""The move of ScheduledJob from notifications to worker is in Django's state only: rows survive it,
and queued runs stored under the task's old path run under the new one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xinfang.worker.models import ScheduledJob
from xinfang.worker.tasks import run_scheduled_job

BEFORE_THE_MOVE = ("notifications", "0002_notification_kind_add_explanation")
OLD_TASK_PATH = "xinfang.notifications.tasks.run_scheduled_job"


def test_the_table_keeps_its_name() -> None:
    assert ScheduledJob._meta.db_table == "notifications_scheduledjob"


@pytest.fixture
def executor(restores_what_the_flush_removes: None, transactional_db: None) -> Iterator[MigrationExecutor]:
    """Migrations undone to just before the move; every app is migrated forward again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate([("worker", None)])
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_rows_and_queued_runs_survive_the_move(executor: MigrationExecutor) -> None:
    old_apps = executor.loader.project_state(BEFORE_THE_MOVE).apps
    OldScheduledJob = old_apps.get_model("notifications", "ScheduledJob")
    OldScheduledJob.objects.create(
        name="sweep_deadlines", interval_seconds=60, next_run_at=timezone.now(), run_count=41
    )
    queued = run_scheduled_job.enqueue("sweep_deadlines")
    DBTaskResult.objects.filter(pk=queued.id).update(task_path=OLD_TASK_PATH)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert ScheduledJob.objects.get(name="sweep_deadlines").run_count == 41
    assert DBTaskResult.objects.get(pk=queued.id).task_path == "xinfang.worker.tasks.run_scheduled_job"
