"""A letter as its writer sees it, shared by the portal and the partner API: found by tracking
number and query code, its timeline (the steps the writer may see) and its conversation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xinfang.letters.lifecycle import Action, event_label
from xinfang.letters.models import Letter, LetterEvent, Message
from xinfang.letters.services import hash_query_code, query_code_matches
from xinfang.orgs.models import Unit
from xinfang.pages import throttling


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    label: str
    detail: str


# Events whose recorded reason is written for the citizen (a notice, a request, their own words);
# other reasons (e.g. why staff chose another unit than proposed) are internal.
REASON_FOR_CITIZEN = frozenset(
    {
        Action.REQUEST_INFO,
        Action.SUPPLY_INFO,
        Action.REFUSE,
        Action.REFER,
        Action.REDIRECT_EMERGENCY,
        Action.DECIDE_EXTENSION,
        Action.EVALUATE,
        Action.REQUEST_REVIEW,
        Action.ANSWER_REVIEW,
        Action.REQUEST_REEXAM,
        Action.ANSWER_REEXAM,
    }
)


def _event_detail(event: LetterEvent, units: dict[str, Unit]) -> str:
    if event.action == Action.ASSIGN and event.data.get("unit") in units:
        return _("交由%(unit)s办理。") % {"unit": units[event.data["unit"]].display_name}
    if event.action == Action.DECIDE_EXTENSION:
        return _("答复期限延长 %(days)s 日。理由：%(reason)s") % {
            "days": event.data.get("days"),
            "reason": event.reason,
        }
    return event.reason if event.action in REASON_FOR_CITIZEN else ""


def citizen_timeline(letter: Letter) -> list[TimelineEntry]:
    """The steps of ``letter`` its writer may see, oldest first."""
    events = list(letter.events.filter(citizen_visible=True).order_by("at", "pk"))
    codes = {e.data.get("unit") for e in events if e.action == Action.ASSIGN}
    units = {u.code: u for u in Unit.objects.filter(code__in=[c for c in codes if c])}
    return [TimelineEntry(e.at, event_label(e.action), _event_detail(e, units)) for e in events]


def citizen_messages(letter: Letter) -> list[Message]:
    """The conversation with the handler (internal notes never), each with its visible attachments."""
    return list(
        letter.messages.exclude(kind=Message.Kind.INTERNAL_NOTE)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


# ---------------------------------------------------------------- lookup without an account

_NO_SUCH_LETTER_HASH = hash_query_code("NOT-A-REAL-CODE")


def letter_by_lookup(tracking_number: str, query_code: str) -> Letter | None:
    """The letter with this tracking number if the query code matches, else None.

    A missing letter costs the same hash as a wrong code, so timing does not tell them apart.
    """
    number = "".join(tracking_number.split()).upper()
    letter = Letter.objects.select_related("mailbox").filter(tracking_number=number).first()
    if letter is None:
        _algo, salt, _digest = _NO_SUCH_LETTER_HASH.split("$")
        hash_query_code(query_code, salt=salt)
        return None
    return letter if query_code_matches(letter, query_code) else None


# The partner channels' brake on guessing query codes: wrong codes (or unknown numbers) for one
# tracking number from one caller (the partner API's token, an Open311 client's address), per hour.
# (The portal has its own, per address: portal/views.py LOOKUP_PER_PAIR.)
PARTNER_WRONG_CODES = 10
PARTNER_WRONG_CODE_WINDOW_SECONDS = 3600


def wrong_codes_exhausted(scope: str, pair: str) -> bool:
    """``pair`` (caller and tracking number) has had its wrong codes this hour: refuse before any look-up."""
    return throttling.count(scope, pair) >= PARTNER_WRONG_CODES


def wrong_code_counted(scope: str, pair: str) -> None:
    """One more wrong code (or unknown number) for ``pair``; counted outside the answer's transaction."""
    throttling.hit(scope, pair, window_seconds=PARTNER_WRONG_CODE_WINDOW_SECONDS)
