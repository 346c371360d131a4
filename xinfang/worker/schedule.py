"""The worker's schedule: a table of named jobs, each run by exactly one worker when it falls due.

To add a job, add an entry to :data:`JOBS`; the workers create its row on
start, and administrators can change its interval or pause it in the admin. Each job's function
lives in the app whose work it is and is imported when the job runs, so the worker depends on
those apps and none of them on the worker.

Jobs of interface apps. The worker may not import an interface app (pyproject's contract
"domain-below-interfaces"), so such an app adds its own entry to :data:`JOBS` from its
``AppConfig.ready()``, which Django runs in every process before a worker reads the table: the
API's ``idempotency_keys_prune`` (``xinfang/api/apps.py``). The dependency then runs the allowed
way, interface → worker, and ``api.apps`` is the one module of it that may import the worker
(contract "worker-on-top").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from xinfang.worker import tasks
from xinfang.worker.models import ScheduledJob


def _retention() -> object:
    from xinfang.worker.retention import retention_sweep

    return retention_sweep()


def _sweep_deadlines() -> object:
    from xinfang.letters.sweeps import sweep_deadlines

    return dataclasses.asdict(sweep_deadlines())


def _recover() -> object:
    from xinfang.notifications.services import deliveries_recover

    return deliveries_recover()


def _seal_log() -> object:
    from xinfang.audit.sealing import log_seal

    head = log_seal()
    return {"tree_size": head.tree_size, "root_hash": head.root_hash} if head else "nothing new"


def _repeats_index() -> object:
    from xinfang.analysis.repeats import index_signatures

    return index_signatures()


def _early_warnings() -> object:
    from xinfang.analysis.early_warning import early_warnings_scan

    return early_warnings_scan()


def _statistics_rollup() -> object:
    from xinfang.statistics.rollup import statistics_rollup

    return dataclasses.asdict(statistics_rollup())


def _statistics_reports() -> object:
    from xinfang.statistics.services import reports_make

    return reports_make()


def _notices_issue() -> object:
    from xinfang.notices.services import notices_issue

    return notices_issue()


def _mailin_sweep() -> object:
    from xinfang.mailin.services import mailin_sweep

    return mailin_sweep()


@dataclass(frozen=True)
class Job:
    run: Callable[[], object]
    interval_seconds: int


JOBS: dict[str, Job] = {
    # Due-soon warnings, overdue marks with automatic supervision, closing: idempotent, hourly
    # so that a letter is marked within the hour its due date passes.
    "sweep_deadlines": Job(_sweep_deadlines, 3600),
    # Tasks and deliveries that a dead worker left half-done.
    "deliveries_recover": Job(_recover, 60),
    # Finished task results, spent SMS codes, expired exports and identities (e-mail writers' too) past
    # their retention period (xinfang.worker.retention), daily.
    "retention": Job(_retention, 24 * 3600),
    # The transparency log: new entries into the Merkle tree and a signed tree head (xinfang.audit.sealing);
    # also enqueued right after every identity reveal (worker.receivers).
    "log_seal": Job(_seal_log, settings.XINFANG_LOG_SEAL_SECONDS),
    # Repeat-letter signatures of the letters that have none yet (xinfang.analysis.repeats): kept out
    # of intake, so a letter is indexed within a minute of arriving (the desk computes it earlier if shown).
    "repeats_index": Job(_repeats_index, 60),
    # Early warnings: units and officers named by several writers (xinfang.analysis.early_warning).
    "early_warnings": Job(_early_warnings, 15 * 60),
    # The statistics rollups (xinfang.statistics.rollup): incremental from the timeline's watermark.
    "statistics_rollup": Job(_statistics_rollup, 5 * 60),
    # Periodic reports (xinfang.statistics.services.reports_make): each month's, quarter's and year's once
    # the rollups have counted past its end, and the reports staff asked for, within a minute.
    "statistics_reports": Job(_statistics_reports, 60),
    # Written notices (xinfang.notices): each decision on the timeline gets its numbered PDF, dated at
    # the decision, within a minute of it (docs/notices.md).
    "notices_issue": Job(_notices_issue, 60),
    # Letters by e-mail (xinfang.mailin): spooled messages whose task has not turned them into letters,
    # and answers to writers whose sending failed and is due again.
    "mailin_sweep": Job(_mailin_sweep, 60),
    # Added by interface apps (above): "idempotency_keys_prune", hourly (xinfang.api.idempotency).
}


def schedule_ensure() -> None:
    """Create the rows of jobs that have none yet (several workers starting at once is fine)."""
    now = timezone.now()
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(name=name, interval_seconds=job.interval_seconds, next_run_at=now) for name, job in JOBS.items()],
        ignore_conflicts=True,
    )


def schedule_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job that is due and that this worker wins; returns their names.

    The claim moves ``next_run_at`` on with ``UPDATE … WHERE next_run_at = <as read>``: when two
    workers read the same row, the second's update finds the new time and changes nothing
    (on PostgreSQL it waits for the first to commit, then re-checks the condition). The task is
    enqueued in the same transaction, so a claimed run is never lost.
    """
    now = now or timezone.now()
    due = ScheduledJob.objects.filter(enabled=True, next_run_at__lte=now, name__in=list(JOBS))
    claimed: list[str] = []
    for job in due:
        with transaction.atomic():
            won = ScheduledJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at, enabled=True).update(
                next_run_at=now + dt.timedelta(seconds=job.interval_seconds)
            )
            if won:
                tasks.run_scheduled_job.enqueue(job.name)
                claimed.append(job.name)
    return claimed


def scheduled_job_run(*, name: str) -> str:
    """Run job ``name`` unless a run of it is already going on (within the lease); record the outcome."""
    now = timezone.now()
    lease = now - dt.timedelta(seconds=settings.XINFANG_TASK_LEASE_SECONDS)
    free = Q(running_since__isnull=True) | Q(running_since__lt=lease)
    if not ScheduledJob.objects.filter(free, name=name).update(running_since=now, last_started_at=now):
        return "already running"
    try:
        result = JOBS[name].run()
    except Exception:
        ScheduledJob.objects.filter(name=name).update(
            running_since=None, last_finished_at=timezone.now(), last_error=traceback.format_exc()[-4000:]
        )
        raise
    ScheduledJob.objects.filter(name=name).update(
        running_since=None, last_finished_at=timezone.now(), last_error="", last_result=str(result)[:2000],
        run_count=F("run_count") + 1,
    )  # fmt: skip
    return str(result)
