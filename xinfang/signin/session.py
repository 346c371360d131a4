"""What sign-in keeps in the session, and the clocks that end a staff session.

Between the password and the second factor the session holds a *pending* sign-in (who, where to
go next, which backend accepted the password, since when): the user is not logged in yet, so no
page treats them as signed in. ``django.contrib.auth.login`` runs only after the second factor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

PENDING = "signin.pending"
ENROLMENT = "signin.enrolment"  # id of the unconfirmed authenticator shown on the enrolment page
FRESH_CODES = "signin.fresh_codes"  # recovery codes waiting to be shown once
STARTED = "signin.started"  # epoch seconds of sign-in
SEEN = "signin.seen"  # epoch seconds of the last request (updated at most once a minute)
SEEN_RESOLUTION = 60


@dataclass(frozen=True)
class Pending:
    user_id: int
    backend: str
    next_url: str
    since: float


def now_ts() -> float:
    return timezone.now().timestamp()


def pending_start(session: SessionBase, *, user_id: int, backend: str, next_url: str) -> None:
    """Remember a passed password step, under a new session key (a planted session id learns nothing)."""
    session.cycle_key()
    session.pop(ENROLMENT, None)
    session[PENDING] = {"user": user_id, "backend": backend, "next": next_url, "since": now_ts()}


def pending_get(session: SessionBase) -> Pending | None:
    """The pending sign-in, unless it is older than ``SIGNIN_STEP_MINUTES`` (then it is dropped)."""
    raw: dict[str, Any] | None = session.get(PENDING)
    if raw is None:
        return None
    pending = Pending(user_id=raw["user"], backend=raw["backend"], next_url=raw["next"], since=raw["since"])
    if now_ts() - pending.since > settings.SIGNIN_STEP_MINUTES * 60:
        pending_clear(session)
        return None
    return pending


def pending_clear(session: SessionBase) -> None:
    session.pop(PENDING, None)
    session.pop(ENROLMENT, None)


def stamp_sign_in(session: SessionBase) -> None:
    session[STARTED] = session[SEEN] = now_ts()


def expiry_reason(session: SessionBase) -> str | None:
    """``"idle"`` or ``"absolute"`` if this staff session has run out, else None.

    A session without a sign-in stamp did not come through ``login()`` and is treated as expired.
    """
    started, seen, now = session.get(STARTED), session.get(SEEN), now_ts()
    if started is None or seen is None:
        return "absolute"
    if now - started > dt.timedelta(hours=settings.SIGNIN_ABSOLUTE_HOURS).total_seconds():
        return "absolute"
    if now - seen > dt.timedelta(minutes=settings.SIGNIN_IDLE_MINUTES).total_seconds():
        return "idle"
    return None


def touch(session: SessionBase) -> None:
    """Record this request for the idle clock; a write at most once a minute, not on every request."""
    now = now_ts()
    if now - session.get(SEEN, 0) >= SEEN_RESOLUTION:
        session[SEEN] = now
