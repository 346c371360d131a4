"""Reads for explanation requests: the letter page's section, and the accused side's views.

The accused side reads a request only through :class:`AccusedView`, which carries nothing of the
letter but the accused officer's name and badge number: templates on that side never receive
the letter, so they cannot show its tracking number, dates, writer, channel or files.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.deadlines.calendar import add_calendar_days
from xinfang.explanations.models import ExplanationRequest
from xinfang.letters.access import (
    answers_explanations,
    explanation_requests_for,
    may_request_explanation,
    may_withdraw_explanation,
)
from xinfang.letters.models import Letter

# Calendar days the accused unit is given by default (the handler may choose another date).
DEFAULT_DUE_DAYS = 10
Status = ExplanationRequest.Status


def default_due_on() -> dt.date:
    return add_calendar_days(timezone.localdate(), DEFAULT_DUE_DAYS).date


def _overdue(request: ExplanationRequest) -> bool:
    return request.status == Status.OPEN and request.due_on < timezone.localdate()


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


# ---------------------------------------------------------------- the asking side (letter page)


@dataclass(frozen=True)
class RequestRow:
    request: ExplanationRequest
    may_withdraw: bool
    overdue: bool


@dataclass(frozen=True)
class LetterExplanations:
    rows: list[RequestRow]
    may_request: bool


def explanations_on_letter(user: User, letter: Letter) -> LetterExplanations:
    """The letter's requests, for the letter page (whoever may open the letter may read them)."""
    requests = letter.explanation_requests.select_related(
        "requesting_unit", "accused_bureau", "requested_by", "responded_by", "withdrawn_by", "letter"
    )
    rows = [
        RequestRow(
            request, request.status == Status.OPEN and may_withdraw_explanation(user, request), _overdue(request)
        )
        for request in requests
    ]
    return LetterExplanations(rows=rows, may_request=may_request_explanation(user, letter))


# ---------------------------------------------------------------- the accused side


@dataclass(frozen=True)
class AccusedView:
    """What the accused bureau's leaders may see of a request."""

    public_id: uuid.UUID
    requesting_unit: str
    officer_name: str
    badge_number: str
    extract: str
    questions: str
    due_on: dt.date
    status: str
    status_label: str
    response: str
    responded_by: str
    responded_at: dt.datetime | None
    overdue: bool

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN


def accused_views(requests: Iterable[ExplanationRequest]) -> list[AccusedView]:
    requests = list(requests)
    # The accused officer is named: the unit cannot give its account of an officer's conduct
    # without knowing whom the complaint is about, and the name says nothing about the writer.
    officers = {
        pk: (name, badge)
        for pk, name, badge in Letter.objects.filter(pk__in={r.letter_id for r in requests}).values_list(
            "pk", "accused_officer_name", "accused_badge_number"
        )
    }
    return [_view(request, *officers[request.letter_id]) for request in requests]


def accused_view(request: ExplanationRequest) -> AccusedView:
    return accused_views([request])[0]


def _view(request: ExplanationRequest, officer_name: str, badge_number: str) -> AccusedView:
    return AccusedView(
        public_id=request.public_id,
        requesting_unit=request.requesting_unit.display_name,
        officer_name=officer_name,
        badge_number=badge_number,
        extract=request.extract,
        questions=request.questions,
        due_on=request.due_on,
        status=request.status,
        status_label=str(request.get_status_display()),
        response=request.response,
        responded_by=_name(request.responded_by),
        responded_at=request.responded_at,
        overdue=_overdue(request),
    )


def accused_inbox(user: User) -> QuerySet[ExplanationRequest]:
    """Requests addressed to the user's bureau: open ones first, the earliest due first."""
    open_first = Case(When(status=Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        explanation_requests_for(user)
        .select_related("requesting_unit", "responded_by")
        .order_by(open_first, "due_on", "id")
    )


def waiting_for(user: User) -> int | None:
    """Open requests for the user's bureau, for the navigation; ``None`` if there are none at all."""
    if not answers_explanations(user):
        return None
    counts = explanation_requests_for(user).aggregate(
        total=Count("id"), waiting=Count("id", filter=Q(status=Status.OPEN))
    )
    return counts["waiting"] if counts["total"] else None
