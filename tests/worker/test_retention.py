"""The daily retention job deletes spent operational rows and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinfang.accounts.models import SmsCode
from xinfang.accounts.services import sms_code_send
from xinfang.notifications.tasks import deliver
from xinfang.worker.retention import retention_sweep
from xinfang.worker.schedule import JOBS

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def finished_task(status: str, days_ago: int) -> str:
    result = deliver.enqueue(delivery_id=0)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return str(result.id)


def test_old_finished_task_results_and_spent_sms_codes_go_and_the_rest_stays() -> None:
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, 0, tzinfo=TZ)):
        sms_code_send(phone="13900001111", purpose=SmsCode.Purpose.SIGN_UP, client_address="127.0.0.1")
    sms_code_send(phone="13900002222", purpose=SmsCode.Purpose.SIGN_UP, client_address="127.0.0.1")
    old_success = finished_task(TaskResultStatus.SUCCESSFUL, days_ago=8)
    recent_success = finished_task(TaskResultStatus.SUCCESSFUL, days_ago=2)
    old_failure = finished_task(TaskResultStatus.FAILED, days_ago=8)  # failures are kept a month to study
    waiting = deliver.enqueue(delivery_id=0)

    removed = retention_sweep()

    assert removed == {
        "task_results": 1, "sms_codes": 1, "identities_erased": 0, "callers_erased": 0, "mail_writers_erased": 0,
        "mail_senders_erased": 0, "exports_expired": 0,
    }  # fmt: skip
    left = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert old_success not in left
    assert {recent_success, old_failure, str(waiting.id)} <= left
    assert SmsCode.objects.count() == 1


def test_the_worker_runs_it_daily() -> None:
    assert JOBS["retention"].interval_seconds == 24 * 3600
