"""Writes for notices: the worker job that turns decisions on the timeline into numbered PDF notices.

Design (docs/notices.md): the services that decide (``letters.services``) know nothing of notices.
A scheduled job (``worker.schedule.JOBS["notices_issue"]``, every minute) reads the new timeline
rows of the deciding actions after a watermark, creates each notice with its number, dated at the
decision (the event's time), and renders its PDF. It is idempotent and safe with two workers: one
notice per event (a unique constraint), the number taken with a conditional update in the same
transaction, the file attached with a conditional update, and the watermark moved with a
conditional update, only past events old enough that no transaction still writing could commit
an earlier id after them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.letters.models import LetterEvent
from xinfang.notices import numbering
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


@dataclass
class IssueResult:
    issued: list[str] = field(default_factory=list)
    rendered: int = 0
    watermark: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"issued": len(self.issued), "rendered": self.rendered, "watermark": self.watermark}


def _watermark() -> int:
    NoticeWatermark.objects.bulk_create([NoticeWatermark(name=WATERMARK, last_event_id=0)], ignore_conflicts=True)
    return NoticeWatermark.objects.filter(name=WATERMARK).values_list("last_event_id", flat=True).get()


def notice_issue(event: LetterEvent) -> tuple[Notice | None, bool]:
    """The notice for ``event`` (created with its number if it has none yet) and whether it was
    created now; (None, False) if the event makes no notice."""
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
    except IntegrityError:  # another worker issued it a moment ago; its number rolled back with ours
        return Notice.objects.filter(event=event).first(), False
    return notice, True


def notice_render(notice: Notice) -> bool:
    """Render and store the PDF of a notice that has none; False if another worker stored one first."""
    event = LetterEvent.objects.select_related(
        "letter__citizen", "letter__mailbox", "letter__review_unit", "letter__reexam_unit", "actor__unit"
    ).get(pk=notice.event_id)
    content = notice_content(event, kind=notice.kind, organ=notice.issuing_unit, document_number=notice.document_number)
    pdf = notice_pdf(content)
    local = timezone.localtime(notice.issued_at)
    name = default_storage.save(f"notices/{local:%Y/%m}/{notice.public_id}.pdf", ContentFile(pdf))
    won = Notice.objects.filter(pk=notice.pk, file="").update(file=name, rendered_at=timezone.now())
    if not won:
        default_storage.delete(name)
        return False
    notice.file.name = name
    _tell_the_writer(notice)
    return True


def _tell_the_writer(notice: Notice) -> None:
    """The writer hears in their inbox that the notice can be downloaded.

    The notifications app has no kind of its own for this (nor an SMS text): the generic step kind
    is used, which goes to the inbox only. The decision's own SMS (accepted, not accepted, replied …)
    already points the writer to the letter, where the notice is listed within the minute."""
    from xinfang.notifications.models import Kind
    from xinfang.notifications.recipients import Plan
    from xinfang.notifications.services import notify

    letter = notice.event.letter if notice.event_id else None
    if letter is None:
        return
    step = f"{notice.get_kind_display()}（{notice.document_number}）已生成，可在信件页面下载"
    notify(plan=Plan(Kind.STEP, writer=True, values={"step": step}), letter=letter, source=f"notice:{notice.pk}")


def notices_issue(*, now: dt.datetime | None = None, batch: int = BATCH) -> dict[str, object]:
    """The job: issue the notices of new deciding events after the watermark, render what has no PDF yet."""
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
    for notice in Notice.objects.filter(file="").select_related("issuing_unit", "event__letter").order_by("pk")[:batch]:
        try:
            if notice_render(notice):
                result.rendered += 1
        except Exception:  # one notice that cannot be rendered must not stop the others
            logger.exception("notice %s could not be rendered", notice.pk)
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
