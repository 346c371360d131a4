"""The retention job: operational rows that have served their purpose are deleted.

- Finished background-task results (django-tasks-db keeps every one): successful after
  ``XINFANG_TASK_RESULT_DAYS`` (7), failed after ``XINFANG_FAILED_TASK_RESULT_DAYS`` (30), through
  the library's own ``prune_db_task_results``.
- One-time SMS codes a day after they expired (the per-day sending limits count the last 24 hours).
- Writers' identities ``XINFANG_IDENTITY_RETENTION_DAYS`` after their letters were finished:
  erased, not deleted, by ``accounts.retention.identities_erase``; writers by e-mail (their
  accounts and the spool's sender addresses) by ``mailin.retention.senders_erase``, which also
  erases the senders of e-mails that became no letter after ``XINFANG_MAILIN_REFUSED_DAYS`` (30).
- Large letter-list exports ``XINFANG_EXPORT_RETENTION_DAYS`` (14) after they were made: the file
  deleted, the row marked expired (``statistics.exports.exports_expire``).

Letters, their timelines, notifications, deliveries and the audit chain are records, not
operational rows, and are never deleted here. The partner API's idempotency keys have their own
hourly job, which the API app adds to the schedule (``worker.schedule``).
"""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from xinfang.accounts.models import SmsCode
from xinfang.accounts.retention import identities_erase
from xinfang.mailin.retention import senders_erase
from xinfang.statistics.exports import exports_expire

SMS_CODE_KEEP = dt.timedelta(days=1)


def retention_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    before = _task_results()
    call_command(
        "prune_db_task_results",
        min_age_days=settings.XINFANG_TASK_RESULT_DAYS,
        failed_min_age_days=settings.XINFANG_FAILED_TASK_RESULT_DAYS,
        stdout=io.StringIO(),
    )
    task_results = before - _task_results()
    sms_codes, _by_model = SmsCode.objects.filter(expires_at__lt=now - SMS_CODE_KEEP).delete()
    erased = identities_erase(now=now)
    senders = senders_erase(now=now)
    return {
        "task_results": task_results,
        "sms_codes": sms_codes,
        "identities_erased": erased.citizens,
        "callers_erased": erased.callers,
        "mail_writers_erased": senders.writers,
        "mail_senders_erased": senders.refused,
        "exports_expired": exports_expire(now=now),
    }


def _task_results() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.count()
