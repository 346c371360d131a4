"""Which time limit applies to a letter, and when it ends.

``limit_for`` picks the most specific admin override (this mailbox and type, this mailbox, this type,
everywhere) and falls back to the law. ``due_date`` counts it on the official calendar.
"""

from __future__ import annotations

import datetime
import logging

from xinfang.deadlines.calendar import Due, add_days
from xinfang.deadlines.law import AUTHORITY_STEPS, LEGAL_DEFAULTS, DayKind, Limit, Step, law_problem
from xinfang.deadlines.selectors import time_limit_overrides
from xinfang.orgs.models import Mailbox

__all__ = ["LEGAL_DEFAULTS", "DayKind", "Due", "Limit", "Step", "due_date", "limit_for"]

logger = logging.getLogger(__name__)


def limit_for(step: Step, *, mailbox: Mailbox | None, letter_type: str | None) -> Limit:
    """The limit for ``step`` of a letter of ``letter_type`` in ``mailbox``.

    An override that breaks the law (saved past the admin's validation, or made unlawful by a later
    change of the legal defaults) is skipped with an error in the log, so letters keep lawful
    deadlines while an administrator fixes it.
    """
    for policy in time_limit_overrides(step=step, mailbox=mailbox, letter_type=letter_type):
        limit = policy.as_limit()
        problem = law_problem(step, limit)
        if problem is None:
            return limit
        logger.error("time-limit policy %s ignored: %s", policy.pk, problem)
    return LEGAL_DEFAULTS[step]


def due_date(step: Step, *, start: datetime.date, mailbox: Mailbox | None, letter_type: str | None) -> Due:
    """The last day for ``step`` when its period starts on ``start`` (a local date; not itself counted).

    A limit the authorities must meet never ends after the law's own date: an override counted in
    working days against a law counted in calendar days is capped at the legal date.
    """
    limit = limit_for(step, mailbox=mailbox, letter_type=letter_type)
    due = add_days(start, limit.days, limit.day_kind)
    law = LEGAL_DEFAULTS[step]
    if step not in AUTHORITY_STEPS or limit.day_kind == law.day_kind:
        return due
    legal = add_days(start, law.days, law.day_kind)
    return Due(date=min(due.date, legal.date), provisional=due.provisional or legal.provisional)
