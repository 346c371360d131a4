"""Writes of the statistics app: the periodic reports (issue 19 §2; docs/statistics.md).

A report is a ``PeriodicReport`` row, made pending by :func:`report_request` (a viewer's button) or by
the worker's job :func:`reports_make` (after each month, quarter and year ends, for every bureau
that has statistics users), and rendered (PDF and .xlsx) by the same job, within a minute.
Downloading one is an audit entry (:func:`report_download_record`), like every export.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import RoleGrant, User
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.errors import Refused
from xinfang.orgs.models import Unit
from xinfang.statistics.models import PeriodicReport, ReportOrigin, ReportPeriod, ReportStatus
from xinfang.statistics.reports import report_content, report_pdf, report_xlsx
from xinfang.statistics.rollup import last_counted_at
from xinfang.statistics.selectors import STATISTICS_ROLES, Period, period_from

MONTHS = {ReportPeriod.MONTH: 1, ReportPeriod.QUARTER: 3, ReportPeriod.YEAR: 12}
# A scheduled report waits until the rollups have counted past the period's end by this much
# (the rollup job leaves events younger than two minutes for its next run).
ROLLUP_MARGIN = dt.timedelta(minutes=10)
RENDER_SECONDS = 120  # one run of the job renders for about this long, then leaves the rest for the next


def _filename(report: PeriodicReport, ext: str) -> str:
    return f"statistics/reports/{report.start:%Y}/{report.public_id}.{ext}"


def report_request(*, unit: Unit, period: Period, actor: User) -> PeriodicReport:
    """Ask the worker for ``unit``'s report of ``period`` (a month, quarter or year); the caller has
    checked that ``actor`` may view the unit's statistics. A request already waiting is reused."""
    if period.kind not in MONTHS:
        raise Refused(_("定期报告只有月报、季报和年报。"))
    if period.start > timezone.localdate():
        raise Refused(_("该期间尚未开始。"))
    with transaction.atomic():
        waiting = PeriodicReport.objects.filter(
            unit=unit, period=period.kind, start=period.start, status=ReportStatus.PENDING
        ).first()
        if waiting is not None:
            return waiting
        return PeriodicReport.objects.create(
            unit=unit, period=period.kind, start=period.start, end=period.end, origin=ReportOrigin.REQUESTED,
            requested_by=actor, created_at=timezone.now(),
        )  # fmt: skip


def report_render(report: PeriodicReport) -> bool:
    """Make the report's PDF and .xlsx and mark it ready (or failed, with the error); True if ready."""
    period = Period(report.period, report.start, report.end)
    made_by = (
        _("%(name)s 申请生成") % {"name": report.requested_by.get_full_name() or report.requested_by.username}
        if report.requested_by is not None
        else _("系统按期生成")
    )
    try:
        content = report_content(report.unit, period, made_by=made_by)
        pdf, xlsx = report_pdf(content), report_xlsx(content)
    except Exception as error:  # a report that cannot be made must not stop the others
        PeriodicReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error=repr(error)[:2000])
        return False
    names = [default_storage.save(_filename(report, "pdf"), ContentFile(pdf)),
             default_storage.save(_filename(report, "xlsx"), ContentFile(xlsx))]  # fmt: skip
    moved = PeriodicReport.objects.filter(pk=report.pk, status=ReportStatus.PENDING).update(
        status=ReportStatus.READY, pdf=names[0], xlsx=names[1], notable=content.notable,
        rendered_at=timezone.now(), error="",
    )  # fmt: skip
    if not moved:  # made meanwhile by another run: keep its files
        for name in names:
            default_storage.delete(name)
    return bool(moved)


def latest_ended(kind: str, today: dt.date) -> Period:
    """The last whole month, quarter or year before ``today``."""
    return period_from({"period": kind, "start": f"{today:%Y-%m}"}, today).previous()


def bureaus_with_statistics_users() -> list[Unit]:
    """The bureaus whose staff (or whose departments' staff) include an analyst, leader or inspector."""
    unit_ids = set(
        RoleGrant.objects.filter(role__in=STATISTICS_ROLES, user__is_active=True, user__unit__isnull=False)
        .values_list("user__unit_id", flat=True)
        .distinct()
    )
    units = Unit.objects.filter(pk__in=unit_ids).select_related("bureau_of_department")
    return sorted({unit.bureau for unit in units}, key=lambda u: u.path)


def reports_schedule(*, now: dt.datetime | None = None) -> int:
    """Create the pending scheduled reports of the periods that have ended; returns how many."""
    now = now or timezone.now()
    counted = last_counted_at()
    if counted is None:
        return 0
    today = timezone.localdate(now)
    periods = []
    for kind in MONTHS:
        period = latest_ended(kind, today)
        zone = timezone.get_current_timezone()
        after = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        if counted >= after + ROLLUP_MARGIN:
            periods.append(period)
    if not periods:
        return 0
    bureaus = bureaus_with_statistics_users()
    made = 0
    for period in periods:
        have = set(
            PeriodicReport.objects.filter(
                origin=ReportOrigin.SCHEDULED, period=period.kind, start=period.start
            ).values_list("unit_id", flat=True)
        )
        for bureau in bureaus:
            if bureau.pk in have:
                continue
            try:
                with transaction.atomic():
                    PeriodicReport.objects.create(
                        unit=bureau, period=period.kind, start=period.start, end=period.end,
                        origin=ReportOrigin.SCHEDULED, created_at=now,
                    )  # fmt: skip
                made += 1
            except IntegrityError:  # another worker made it meanwhile
                continue
    return made


def reports_make(*, now: dt.datetime | None = None, budget_seconds: float = RENDER_SECONDS) -> dict[str, int]:
    """The worker's job (``worker.schedule.JOBS["statistics_reports"]``, every minute): schedule the
    reports of periods just ended, then render pending reports, requests first, oldest first, for
    about ``budget_seconds``. Cheap when there is nothing to do: a few indexed queries."""
    scheduled = reports_schedule(now=now)
    rendered = failed = 0
    started = time.monotonic()
    pending = PeriodicReport.objects.filter(status=ReportStatus.PENDING).select_related("unit", "requested_by")
    for report in pending.order_by("origin", "created_at", "id"):  # "requested" sorts before "scheduled"
        if time.monotonic() - started > budget_seconds:
            break
        if report_render(report):
            rendered += 1
        else:
            failed += int(PeriodicReport.objects.filter(pk=report.pk, status=ReportStatus.FAILED).exists())
    return {"scheduled": scheduled, "rendered": rendered, "failed": failed}


def report_download_record(*, report: PeriodicReport, actor: User, fmt: str) -> None:
    """The audit entry of one download (who, which report, which format), like every export."""
    audit_record(
        kind=AuditKind.EXPORT,
        actor=actor,
        subject=("statistics", report.unit.code),
        data={"what": f"report:{fmt}", "report": str(report.public_id), "unit": report.unit.code,
              "period": [report.start, report.end], "rows": report.notable},
    )  # fmt: skip
