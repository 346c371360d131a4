"""Derive every due date of a letter from its timestamps and the time-limit policies.

One function computes them all, so services and the recomputation after a new holiday year is
loaded can never disagree. The clock that binds the authorities now is ``current_due``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from xinfang.deadlines.calendar import add_calendar_days
from xinfang.deadlines.policies import Step, due_date
from xinfang.letters.models import Letter, LetterState

S = LetterState

# Which due date the authorities owe in each state.
CURRENT_DUE_FIELD = {
    S.RECEIVED: "accept_due",
    S.ACCEPTED: "reply_due",
    S.ASSIGNED: "reply_due",
    S.IN_HANDLING: "reply_due",
    S.REPLY_DRAFTED: "reply_due",
    S.REVIEW_REQUESTED: "review_due",
    S.REEXAM_REQUESTED: "reexam_due",
}

# due-date field → (step, timestamp field the period starts from)
CLOCKS = {
    "accept_due": (Step.ACCEPTANCE, "acceptance_clock_from"),
    "reply_due": (Step.REPLY, "accepted_at"),
    "return_due": (Step.MISROUTE_RETURN, "assigned_at"),
    "evaluation_due": (Step.EVALUATION_WINDOW, "replied_at"),
    "review_request_due": (Step.REVIEW_REQUEST, "replied_at"),
    "review_due": (Step.REVIEW_ANSWER, "review_requested_at"),
    "reexam_request_due": (Step.REEXAM_REQUEST, "review_answered_at"),
    "reexam_due": (Step.REEXAM_ANSWER, "reexam_requested_at"),
}


@dataclass(frozen=True)
class DueDates:
    values: dict[str, dt.date | None]
    provisional: bool

    def as_changes(self, state: str) -> dict[str, Any]:
        field = CURRENT_DUE_FIELD.get(LetterState(state))
        changes: dict[str, Any] = dict(self.values)
        changes["current_due"] = self.values[field] if field else None
        changes["due_provisional"] = self.provisional
        return changes


def compute(letter: Letter, **overrides: Any) -> DueDates:
    """Due dates for ``letter`` as it will be after ``overrides`` (timestamps about to be written)."""

    def get(name: str) -> Any:
        return overrides[name] if name in overrides else getattr(letter, name)

    values: dict[str, dt.date | None] = {}
    provisional = False
    for field, (step, start_field) in CLOCKS.items():
        start = get(start_field)
        if start is None:
            values[field] = None
            continue
        due = due_date(step, start=timezone.localdate(start), mailbox=letter.mailbox, letter_type=letter.letter_type)
        day, provisional_here = due.date, due.provisional
        if field == "reply_due" and get("extension_days"):
            extended = add_calendar_days(day, get("extension_days"))
            day, provisional_here = extended.date, provisional_here or extended.provisional
        values[field] = day
        provisional = provisional or provisional_here
    return DueDates(values, provisional)
