"""What a notice says: its required elements, gathered from the decision (the timeline event) and the letter.

Every element the law requires is a field of :class:`NoticeContent` and is printed by the fixed part
of the layout (``rendering``); the administrator's wording (``NoticeTemplate``) only frames them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template import Context, Engine
from django.utils import timezone

from xinfang.accounts.selectors import writer_identity
from xinfang.deadlines.policies import Step, due_date, limit_for
from xinfang.letters.models import LetterEvent, RefusalReason
from xinfang.notices.defaults import DEFAULTS, REFUSAL_ARTICLES, REFUSAL_ROUTES, Wording
from xinfang.notices.models import NoticeKind, NoticeTemplate
from xinfang.orgs.models import Unit

# No loaders (an administrator's wording cannot include server files); autoescape on: the
# result goes into HTML.
ENGINE = Engine(loaders=[], autoescape=True)


# The decision in words where the event carries no text of its own.
FIXED_DECISIONS: dict[str, str] = {NoticeKind.ACCEPTANCE: "予以受理。"}


@dataclass(frozen=True)
class Right:
    """A step the writer may take next: what, to which organ, by when (None: no time limit)."""

    organ: str
    due: dt.date | None
    days: int | None


@dataclass(frozen=True)
class NoticeContent:
    kind: str
    title: str
    organ: str
    document_number: str
    date: dt.date
    writer_name: str
    tracking_number: str
    received: dt.date
    opening: str
    decision: str
    reason_label: str
    legal_basis: str
    rights_text: str
    right: Right | None
    route: str
    closing: str


def wording(kind: str) -> Wording:
    """The administrator's wording for ``kind`` if there is a row, else the declared default."""
    row = NoticeTemplate.objects.filter(kind=kind).first()
    default = DEFAULTS[kind]
    if row is None:
        return default
    return Wording(
        title=row.title or default.title,
        series=row.series or default.series,
        opening=row.opening,
        closing=row.closing,
        legal_basis=row.legal_basis or default.legal_basis,  # a required element: never empty
        rights=row.rights,
    )


def issuing_unit(event: LetterEvent) -> Unit:
    """The organ that decided: the bureau of the person who acted, else the unit the decision belongs to."""
    actor = event.actor
    if actor is not None and actor.unit is not None:
        return actor.unit.bureau
    letter = event.letter
    kind = kind_of(event)
    answering = (
        letter.review_unit if kind == NoticeKind.REVIEW else letter.reexam_unit if kind == NoticeKind.REEXAM else None
    )
    unit = answering or letter.handling_unit or letter.intake_unit
    return unit.bureau


def kind_of(event: LetterEvent) -> str | None:
    """The notice an event makes, or None (a refused extension, a step that makes none)."""
    from xinfang.notices.defaults import KIND_BY_ACTION

    kind = KIND_BY_ACTION.get(event.action)
    if kind == NoticeKind.EXTENSION and not event.data.get("approved"):
        return None
    return kind


def _right(kind: str, event: LetterEvent) -> Right | None:
    """The writer's next step and its time limit, computed the way the product computes the letter's due dates."""
    letter = event.letter
    start = timezone.localdate(event.at)

    def due(step: Step) -> dt.date:
        return due_date(step, start=start, mailbox=letter.mailbox, letter_type=letter.letter_type).date

    def days(step: Step) -> int:
        return limit_for(step, mailbox=letter.mailbox, letter_type=letter.letter_type).days

    if kind == NoticeKind.ACCEPTANCE:
        return Right(organ="", due=due(Step.REPLY), days=days(Step.REPLY))
    if kind == NoticeKind.EXTENSION:
        return Right(organ="", due=letter.reply_due, days=int(event.data.get("days") or 0))
    if kind == NoticeKind.REFERRAL:
        return Right(organ=letter.referred_to, due=None, days=None)
    if kind == NoticeKind.REPLY:
        organ = letter.review_unit.name if letter.review_unit is not None else ""
        return Right(organ=organ, due=due(Step.REVIEW_REQUEST), days=days(Step.REVIEW_REQUEST))
    if kind == NoticeKind.REVIEW:
        organ = letter.reexam_unit.name if letter.reexam_unit is not None else ""
        return Right(organ=organ, due=due(Step.REEXAM_REQUEST), days=days(Step.REEXAM_REQUEST))
    return None


def _fill(text: str, values: dict[str, object]) -> str:
    return ENGINE.from_string(text).render(Context(values)) if text else ""


def notice_content(event: LetterEvent, *, kind: str, organ: Unit, document_number: str) -> NoticeContent:
    """Everything one notice prints. The writer's name is read from the vault (``accounts.selectors``)."""
    letter = event.letter
    words = wording(kind)
    identity = writer_identity(letter)
    name = "" if identity.anonymous or identity.erased else identity.name
    right = _right(kind, event)
    received = timezone.localdate(letter.received_at)
    values: dict[str, object] = {
        "tracking_number": letter.tracking_number,
        "received": f"{received.year}年{received.month}月{received.day}日",
        "due": f"{right.due.year}年{right.due.month}月{right.due.day}日" if right and right.due else "",
        "organ": right.organ if right else "",
        "days": right.days if right and right.days else "",
    }
    legal_basis = words.legal_basis
    reason_label = ""
    route = ""
    if kind == NoticeKind.NON_ACCEPTANCE and letter.refusal_reason:
        reason_label = str(RefusalReason(letter.refusal_reason).label)
        extra = REFUSAL_ARTICLES.get(letter.refusal_reason, "")
        if extra and extra not in legal_basis:
            legal_basis = f"{legal_basis}；{extra}"
        route = REFUSAL_ROUTES.get(letter.refusal_reason, "")
    return NoticeContent(
        kind=kind,
        title=words.title,
        organ=organ.name,
        document_number=document_number,
        date=timezone.localdate(event.at),
        writer_name=name,
        tracking_number=letter.tracking_number,
        received=received,
        opening=_fill(words.opening, values),
        decision=event.reason or FIXED_DECISIONS.get(kind, ""),
        reason_label=reason_label,
        legal_basis=legal_basis,
        rights_text=_fill(words.rights, values),
        right=right,
        route=route,
        closing=_fill(words.closing, values),
    )
