"""Helpers every service module shares: one transition step with its due dates recomputed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.letters import due_dates
from xinfang.letters.lifecycle import Action, LifecycleError, apply
from xinfang.letters.models import (
    Letter,
    LetterEvent,
    LetterState,
)

S = LetterState


def _step(
    letter: Letter,
    action: Action,
    *,
    actor: User | None,
    to: str | None = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    citizen_visible: bool | None = None,
) -> LetterEvent:
    """Apply a transition with the due dates recomputed for the state it leads to."""
    from xinfang.letters.lifecycle import TRANSITIONS, _target

    transition = TRANSITIONS[action]
    target = _target(transition, to) if letter.state in transition.sources else to
    values = dict(changes or {})
    if target is not None or "extension_days" in values:
        values.update(due_dates.compute(letter, **values).as_changes(target or letter.state))
    return apply(
        letter, action, actor=actor, to=to, reason=reason, changes=values, data=data, citizen_visible=citizen_visible
    )


def _require_text(value: str, message: str) -> str:
    if not value or not value.strip():
        raise LifecycleError(message)
    return value.strip()


def _today() -> dt.date:
    return timezone.localdate()
