"""Writes for notices: the worker job that turns decisions on the timeline into numbered PDF notices.

Design (docs/notices.md): the services that decide (``letters.services``) know nothing of notices.
A scheduled job (``worker.schedule.JOBS["notices_issue"]``, every minute) reads the new timeline
rows of the deciding actions after a watermark and creates each notice with its number, dated at
the decision (the event's time), enqueuing in the same transaction the task that renders its PDF
(``tasks.render_notice``), so every worker shares the rendering. It is idempotent and safe with two
workers: one notice per event (a unique constraint), the number taken with a conditional update in
the same transaction, the row locked while one worker renders it, the file attached with a
conditional update, and the watermark moved with a conditional update, only past events old enough
that no transaction still writing could commit an earlier id after them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinfang.letters.models import LetterEvent
from xinfang.notices import numbering, tasks
from xinfang.notices.content import issuing_unit, kind_of, notice_content, wording
from xinfang.notices.defaults import KIND_BY_ACTION
from xinfang.notices.models import Notice, NoticeWatermark
from xinfang.notices.rendering import notice_pdf

logger = logging.getLogger(__name__)

WATERMARK = "letter_events"
# Events younger than this may still have company: a transaction that took a lower id and has not
# committed yet. The watermark never passes them; the unique constraint makes the re-read harmless.
SETTLE = dt.timedelta(minutes=5)
BATCH = 500
# A notice still without a file this long after it was issued lost its render task (or the task
# failed): the job enqueues another.
STRAGGLER = dt.timedelta(minutes=5)
# A notice whose render fails is tried again after 5, 10, 20, 40 minutes; after RENDER_TRIES failures
# the job stops (a notice that cannot be rendered is a fault to fix, not to retry every few minutes
# forever) and an administrator renders it again from the admin once the cause is fixed.
RENDER_TRIES = 5


@dataclass
class IssueResult:
    issued: list[str] = field(default_factory=list)
    requeued: int = 0
    watermark: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"issued": len(self.issued), "requeued": self.requeued, "watermark": self.watermark}


def _watermark() -> int:
    NoticeWatermark.objects.bulk_create([NoticeWatermark(name=WATERMARK, last_event_id=0)], ignore_conflicts=True)
    return NoticeWatermark.objects.filter(name=WATERMARK).values_list("last_event_id", flat=True).get()


def notice_issue(event: LetterEvent) -> tuple[Notice | None, bool]:
    """The notice for ``event`` (created with its number, and its render task enqueued, if it has
    none yet) and whether it was created now; (None, False) if the event makes no notice."""
    kind = kind_of(event)
    if kind is None:
        return None, False
    existing = Notice.objects.filter(event=event).first()
    if existing is not None:
        return existing, False
    organ = issuing_unit(event)
    year = timezone.localdate(event.at).year
    series = wording(kind).series
    try:
        with transaction.atomic():
            serial = numbering.next_serial(organ, year, series)
            number = numbering.format_number(numbering.issuer_code(organ), series, year, serial)
            notice = Notice.objects.create(
                letter_id=event.letter_id, event=event, kind=kind, issuing_unit=organ, year=year, series=series,
                serial=serial, document_number=number, issued_at=event.at,
            )  # fmt: skip
            tasks.render_notice.enqueue(notice.pk)  # the task row commits with the notice
    except IntegrityError:  # another worker issued it a moment ago; its number rolled back with ours
        return Notice.objects.filter(event=event).first(), False
    return notice, True


def notice_render(*, notice_id: int) -> bool:
    """Render and attach the PDF of a notice that has none yet, then tell the writer; False if
    there was nothing to do (already rendered, or another worker is rendering it) or it failed.

    1. Take the notice's row, skipping it if another worker holds it (PostgreSQL; SQLite, which has
       no row locks, relies on the conditional update below): two workers never both render it.
    2. Render, store the file, attach it with a conditional update (``WHERE file = ''``) and tell
       the writer, in one transaction: the writer hears once, after the file is there.
    3. A failure is logged and counted on the notice, which stays without a file; the job enqueues
       it again later, fewer times and further apart (``RENDER_TRIES``).
    """
    try:
        with transaction.atomic():
            notice = Notice.objects.select_for_update(skip_locked=True).filter(pk=notice_id, file="").first()
            return notice is not None and _render(notice)
    except Exception:  # one notice that cannot be rendered must not stop the others
        failures = _count_failure(notice_id)
        if failures >= RENDER_TRIES:
            logger.exception("notice %s could not be rendered %s times; no more tries until an administrator asks",
                             notice_id, failures)  # fmt: skip
        else:
            logger.exception("notice %s could not be rendered (try %s of %s)", notice_id, failures, RENDER_TRIES)
        return False


def _count_failure(notice_id: int) -> int:
    """Record a failed render (after its transaction rolled back); the notice's failures so far."""
    Notice.objects.filter(pk=notice_id, file="").update(
        render_failures=F("render_failures") + 1, render_failed_at=timezone.now()
    )
    return Notice.objects.filter(pk=notice_id).values_list("render_failures", flat=True).first() or 0


def _next_try(notice: tuple[int, int, dt.datetime | None], now: dt.datetime) -> bool:
    """Whether a notice without a file, ``(pk, failures, last failure)``, is due another render."""
    _, failures, failed_at = notice
    if failures >= RENDER_TRIES:
        return False
    return failed_at is None or failed_at <= now - STRAGGLER * 2 ** (failures - 1)


def notices_render_again(*, notice_ids: list[int]) -> int:
    """An administrator's "render again" of notices without a file (after fixing what made them
    fail): their failures start from zero and a render task is enqueued for each; how many."""
    again = list(Notice.objects.filter(pk__in=notice_ids, file="").values_list("pk", flat=True))
    with transaction.atomic():
        Notice.objects.filter(pk__in=again).update(render_failures=0, render_failed_at=None)
        for pk in again:
            tasks.render_notice.enqueue(pk)
    return len(again)


def _render(notice: Notice) -> bool:
    event = LetterEvent.objects.select_related(
        "letter__citizen", "letter__mailbox", "letter__review_unit", "letter__reexam_unit", "actor__unit"
    ).get(pk=notice.event_id)
    notice.event = event
    content = notice_content(event, kind=notice.kind, organ=notice.issuing_unit, document_number=notice.document_number)
    pdf = notice_pdf(content)
    local = timezone.localtime(notice.issued_at)
    name = default_storage.save(f"notices/{local:%Y/%m}/{notice.public_id}.pdf", ContentFile(pdf))
    kept = False
    try:
        if Notice.objects.filter(pk=notice.pk, file="").update(file=name, rendered_at=timezone.now()):
            notice.file.name = name
            _tell_the_writer(notice)
            kept = True
    finally:
        if not kept:  # another worker attached its copy first (SQLite), or this one failed
            default_storage.delete(name)
    return kept


def _tell_the_writer(notice: Notice) -> None:
    """The writer hears in their inbox that the notice can be downloaded.

    The notifications app has no kind of its own for this (nor an SMS text): the generic step kind
    is used, which goes to the inbox only. The decision's own SMS (accepted, not accepted, replied …)
    already points the writer to the letter, where the notice is listed once rendered."""
    from xinfang.notifications.models import Kind
    from xinfang.notifications.recipients import Plan
    from xinfang.notifications.services import notify

    letter = notice.event.letter if notice.event_id else None
    if letter is None:
        return
    step = f"{notice.get_kind_display()}（{notice.document_number}）已生成，可在信件页面下载"
    notify(plan=Plan(Kind.STEP, writer=True, values={"step": step}), letter=letter, source=f"notice:{notice.pk}")


def notices_issue(*, now: dt.datetime | None = None, batch: int = BATCH) -> dict[str, object]:
    """The job: issue the notices of new deciding events after the watermark (each enqueues its own
    render task), and enqueue again the render of notices whose task was lost or failed."""
    now = now or timezone.now()
    result = IssueResult()
    seen = _watermark()
    top = LetterEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    events = list(
        LetterEvent.objects.filter(pk__gt=seen, pk__lte=top, action__in=list(KIND_BY_ACTION))
        .select_related("letter", "actor__unit", "letter__intake_unit", "letter__handling_unit")
        .order_by("pk")[:batch]
    )
    for event in events:
        notice, created = notice_issue(event)
        if notice is not None and created:
            result.issued.append(notice.document_number)
    result.requeued = _stragglers_requeue(now=now, batch=batch)
    # Move the watermark past what was read, but never past a row young enough that a transaction
    # holding a lower id might still commit: the next run reads those again (harmlessly).
    upto = events[-1].pk if len(events) == batch else top
    young = (
        LetterEvent.objects.filter(pk__gt=seen, pk__lte=upto, at__gt=now - SETTLE)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    settled = young - 1 if young is not None else upto
    if settled > seen:
        NoticeWatermark.objects.filter(name=WATERMARK, last_event_id=seen).update(last_event_id=settled)
    result.watermark = max(settled, seen)
    return result.as_dict()


def _stragglers_requeue(*, now: dt.datetime, batch: int) -> int:
    """Enqueue the render of up to ``batch`` notices still without a file minutes after they were
    issued and with no render task waiting or running; how many were enqueued."""
    unrendered = (
        Notice.objects.filter(file="", created_at__lt=now - STRAGGLER, render_failures__lt=RENDER_TRIES)
        .order_by("pk")
        .values_list("pk", "render_failures", "render_failed_at")[:batch]
    )
    stragglers = [notice[0] for notice in unrendered if _next_try(notice, now)]
    if not stragglers:
        return 0
    queued = set(
        DBTaskResult.objects.filter(
            task_path=tasks.render_notice.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            args_kwargs__args__0__in=stragglers,
        ).values_list("args_kwargs__args__0", flat=True)
    )
    lost = [pk for pk in stragglers if pk not in queued]
    for pk in lost:
        tasks.render_notice.enqueue(pk)
    return len(lost)
