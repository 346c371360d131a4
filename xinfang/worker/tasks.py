"""The worker's own task (django-tasks, database backend): one run of a scheduled job.

Its path, ``xinfang.worker.tasks.run_scheduled_job``, is stored in queued task rows; moving it
needs a data migration like ``0002_dbtaskresult_rewrite_run_scheduled_job_path``.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_scheduled_job(name: str) -> str:
    """Run one of ``schedule.JOBS`` (enqueued by the worker that claimed the run)."""
    from xinfang.worker.schedule import scheduled_job_run

    return scheduled_job_run(name=name)
