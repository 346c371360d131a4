"""The schedule: each due job claimed by one worker, a run at a time, and the command that runs everything."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.letters.conftest import submit
from xinfang.accounts.models import User
from xinfang.notifications import sms
from xinfang.orgs.models import Mailbox
from xinfang.worker import schedule
from xinfang.worker.models import ScheduledJob
from xinfang.worker.schedule import Job, schedule_ensure, schedule_tick, scheduled_job_run

pytestmark = pytest.mark.django_db
JOB_TASK = "xinfang.worker.tasks.run_scheduled_job"


def test_a_due_job_is_enqueued_once_until_its_interval_passes(db: None) -> None:
    schedule_ensure()
    schedule_ensure()  # a second worker starting
    now = timezone.now()
    every = sorted(schedule.JOBS)  # each app adds its own jobs: the schedule is about intervals
    assert {"deliveries_recover", "log_seal", "retention", "sweep_deadlines"} <= set(every)
    assert sorted(schedule_tick(now=now)) == every
    assert schedule_tick(now=now) == []
    assert schedule_tick(now=now + dt.timedelta(seconds=11)) == ["log_seal"]
    minutely = sorted(name for name, job in schedule.JOBS.items() if job.interval_seconds <= 61)
    assert "deliveries_recover" in minutely and "retention" not in minutely
    assert sorted(schedule_tick(now=now + dt.timedelta(seconds=61))) == minutely
    assert DBTaskResult.objects.filter(task_path=JOB_TASK).count() == len(every) + 1 + len(minutely)


def test_a_paused_job_is_not_run(db: None) -> None:
    schedule_ensure()
    ScheduledJob.objects.filter(name="sweep_deadlines").update(enabled=False)
    assert sorted(schedule_tick()) == sorted(name for name in schedule.JOBS if name != "sweep_deadlines")


def test_a_job_already_running_is_not_started_again(db: None) -> None:
    schedule_ensure()
    ScheduledJob.objects.filter(name="sweep_deadlines").update(running_since=timezone.now())
    assert scheduled_job_run(name="sweep_deadlines") == "already running"
    assert ScheduledJob.objects.get(name="sweep_deadlines").run_count == 0


def test_a_failing_job_records_its_error_and_frees_itself(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> object:
        raise RuntimeError("disk full")

    monkeypatch.setitem(schedule.JOBS, "sweep_deadlines", Job(broken, 3600))
    schedule_ensure()
    with pytest.raises(RuntimeError):
        scheduled_job_run(name="sweep_deadlines")
    job = ScheduledJob.objects.get(name="sweep_deadlines")
    assert "disk full" in job.last_error
    assert job.running_since is None


def test_run_worker_delivers_notifications_and_runs_the_deadline_sweep(citizen: User, gd_mailbox: Mailbox) -> None:
    sms.outbox.clear()
    letter = submit(citizen, gd_mailbox).letter
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections"
    ):  # see tests/notifications/conftest.drain
        call_command("run_worker", "--until-idle", "--worker-id", "test")
    assert [m for m in sms.outbox if letter.tracking_number in m.text]
    sweep = ScheduledJob.objects.get(name="sweep_deadlines")
    assert (sweep.run_count, sweep.last_error) == (1, "")
    assert "overdue" in sweep.last_result
    assert not DBTaskResult.objects.failed().exists()
    assert not DBTaskResult.objects.ready().exists()
