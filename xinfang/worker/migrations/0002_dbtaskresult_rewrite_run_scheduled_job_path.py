"""Queued runs of scheduled jobs keep working: their stored task path follows the task's move.

django-tasks-db stores the dotted path of each task in ``DBTaskResult.task_path`` and imports it
when the task runs. ``run_scheduled_job`` moved from ``xinfang.notifications.tasks`` to
``xinfang.worker.tasks``; rows written before the move (queued, running, or finished and still
kept for the admin) are pointed at the new path. Reversible.
"""

from typing import Any

from django.db import migrations

OLD = "xinfang.notifications.tasks.run_scheduled_job"
NEW = "xinfang.worker.tasks.run_scheduled_job"


def _rewrite(apps: Any, old: str, new: str) -> None:
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=old).update(task_path=new)


def forward(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, OLD, NEW)


def backward(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("worker", "0001_scheduledjob_move_from_notifications"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
