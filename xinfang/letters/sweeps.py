"""The deadline sweep: due-soon warnings, overdue marks with automatic supervision, and closing.

Idempotent and safe to run from several workers at once: every change goes through
``lifecycle.apply``'s conditional update, a letter already changed by another sweep raises
``Conflict`` and is skipped, and each mark remembers the due date it was made for, so a new
due date (after an extension) is warned about again but an old one never twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.batches import by_pk
from xinfang.letters.access import owing_unit
from xinfang.letters.lifecycle import Action, Conflict, apply
from xinfang.letters.models import Letter, LetterState
from xinfang.letters.services import superior_bureau, supervision_raise_automatic

S = LetterState
BATCH = 500


@dataclass
class SweepResult:
    due_soon: int = 0
    overdue: int = 0
    closed: int = 0


def sweep_deadlines(*, today: dt.date | None = None) -> SweepResult:
    today = today or timezone.localdate()
    lead = dt.timedelta(days=settings.XINFANG_DUE_SOON_DAYS)
    result = SweepResult()
    clock = Letter.objects.filter(state__in=S.authority_clock_states(), current_due__isnull=False)
    overdue = clock.filter(current_due__lt=today).exclude(overdue_marked=F("current_due"))
    for letter in _batches(overdue):
        result.overdue += _mark_overdue(letter)
    due_soon = clock.filter(current_due__gte=today, current_due__lte=today + lead).exclude(
        due_soon_marked=F("current_due")
    )
    for letter in _batches(due_soon):
        result.due_soon += _mark(
            letter, Action.MARK_DUE_SOON, {"due_soon_marked": letter.current_due}, guard=_not_yet("due_soon_marked")
        )
    closable = (
        Q(state=S.REPLIED, evaluation_due__lt=today, review_request_due__lt=today)
        | Q(state=S.EVALUATED, review_request_due__lt=today)
        | Q(state=S.REVIEW_ANSWERED, reexam_request_due__lt=today)
    )
    windows = Letter.objects.filter(state__in=[S.REPLIED, S.EVALUATED, S.REVIEW_ANSWERED])  # the state index
    for letter in _batches(windows.filter(closable)):
        action = Action.CLOSE_UNEVALUATED if letter.state == S.REPLIED else Action.CLOSE_WINDOW_PASSED
        result.closed += _mark(letter, action, {"finished_at": timezone.now()})
    return result


def _batches(qs: QuerySet[Letter]) -> Iterator[Letter]:
    """Every matching letter with the units the sweep reads, ``BATCH`` at a time."""
    return by_pk(qs.select_related("mailbox", "handling_unit", "intake_unit", "review_unit", "reexam_unit"), BATCH)


def _not_yet(mark: str) -> Q:
    """The mark was not made for the current due date (another sweep may just have made it)."""
    return Q(**{f"{mark}__isnull": True}) | ~Q(**{mark: F("current_due")})


def _mark(letter: Letter, action: Action, changes: dict[str, object], guard: Q | None = None) -> int:
    try:
        with transaction.atomic():
            apply(letter, action, actor=None, changes=changes, data={"due": str(letter.current_due)}, guard=guard)
    except Conflict:
        return 0
    return 1


def _mark_overdue(letter: Letter) -> int:
    """Mark overdue and raise an automatic supervision order for the inspector one level above."""
    holder = owing_unit(letter)
    try:
        with transaction.atomic():
            apply(
                letter,
                Action.MARK_OVERDUE,
                actor=None,
                changes={"overdue_marked": letter.current_due, "supervision_flag": True},
                data={"due": str(letter.current_due)},
                guard=_not_yet("overdue_marked"),
            )
            supervision_raise_automatic(
                letter=letter,
                at_unit=superior_bureau(holder),
                text=_("信件已超过期限（%(date)s），自动督办。") % {"date": letter.current_due},
            )
    except Conflict:
        return 0
    return 1
