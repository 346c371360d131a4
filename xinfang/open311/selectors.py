"""What Open311's ``GET requests`` shows, and of which letters: no more than the portal.

Which letters: the list shows published letters only (``publication.selectors.published``, per
active mailbox). A letter asked for by its tracking number is shown when it is published, or when
the reader also gives its query code, as at the portal's look-up (the view checks the code and
counts wrong ones). Anything else answers as if there were no such letter: a guessed tracking
number must not tell that a letter exists, how far it has got, or which unit handles it (for a
recused complaint, a hint at whom it accuses).

What of a letter: its status (open or closed, with the state's label as ``status_notes``), its
service, its dates and the unit answering it; its text only when the letter is published, and then
the published (redacted) text. Never the writer, the place, the accused, the letter's own text or
anything else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from xinfang.letters.models import Letter, LetterState
from xinfang.open311.catalogue import SERVICE_CODE, service_code
from xinfang.open311.formats import w3c
from xinfang.orgs.models import Mailbox
from xinfang.publication.models import Publication
from xinfang.publication.selectors import published

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
MAX_SPAN = dt.timedelta(days=90)  # the specification's default window and its widest
MAX_IDS = 50
STATUSES = ("open", "closed")


def status_of(letter: Letter) -> str:
    """``closed`` in the lifecycle's final states, else ``open`` (a replied letter may still be
    rated and reviewed: open until the procedure ends)."""
    return "closed" if letter.state in LetterState.final_states() else "open"


@dataclass(frozen=True)
class RequestFilters:
    start: dt.datetime
    end: dt.datetime
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # tracking numbers: when given, every other filter is ignored
    jurisdiction: str = ""  # a mailbox's slug
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def normalise_tracking_number(value: str) -> str:
    return "".join(value.split()).upper()


def _letters() -> QuerySet[Letter]:
    return Letter.objects.select_related("mailbox", "handling_unit", "intake_unit").order_by("-received_at", "-pk")


def letter_by_id(service_request_id: str) -> Letter | None:
    """The letter with this tracking number, whether or not the public may see it."""
    return _letters().filter(tracking_number=normalise_tracking_number(service_request_id)).first()


def _public_mailboxes(jurisdiction: str = "") -> QuerySet[Mailbox]:
    """The mailboxes whose published letters the public reads (active ones, as at the portal)."""
    mailboxes = Mailbox.objects.filter(is_active=True)
    return mailboxes.filter(slug=jurisdiction) if jurisdiction else mailboxes


def _published_q(mailboxes: QuerySet[Mailbox]) -> Q:
    """Letters published now in one of ``mailboxes``: ``published`` decides, mailbox by mailbox.
    Only mailboxes with any publication are asked, so the query has a few subqueries, not one
    per mailbox (hundreds)."""
    condition = Q(pk__in=[])
    for mailbox in mailboxes.filter(pk__in=Publication.objects.values("mailbox_id")):
        condition |= Q(pk__in=published(mailbox).order_by().values("letter_id"))
    return condition


def letters_matching(filters: RequestFilters) -> list[Letter]:
    """One page of published letters, newest first: by tracking numbers, or by received date,
    mailbox, service and status. A letter that is not published is left out as if it did not exist."""
    if filters.ids:
        numbers = [normalise_tracking_number(i) for i in filters.ids]
        candidates = list(_letters().filter(tracking_number__in=numbers))
        shown = published_texts(candidates)
        return [letter for letter in candidates if letter.pk in shown]
    mailboxes = _public_mailboxes(filters.jurisdiction)
    letters = _letters().filter(received_at__gte=filters.start, received_at__lte=filters.end)
    if filters.service_codes:
        by_service, slugs = Q(pk__in=[]), []
        for code in filters.service_codes:
            match = SERVICE_CODE.fullmatch(code)
            if match is not None:
                by_service |= Q(mailbox__slug=match["slug"], letter_type=match["letter_type"])
                slugs.append(match["slug"])
        letters = letters.filter(by_service)
        mailboxes = mailboxes.filter(slug__in=slugs)
    if set(filters.statuses) == {"closed"}:
        letters = letters.filter(state__in=LetterState.final_states())
    elif set(filters.statuses) == {"open"}:
        letters = letters.exclude(state__in=LetterState.final_states())
    letters = letters.filter(_published_q(mailboxes))
    offset = (filters.page - 1) * filters.page_size
    return list(letters[offset : offset + filters.page_size])


def published_texts(letters: list[Letter]) -> dict[int, str]:
    """The published text of each of ``letters`` that the public may read now, by letter id."""
    by_mailbox: dict[int, list[int]] = defaultdict(list)
    for letter in letters:
        by_mailbox[letter.mailbox_id].append(letter.pk)
    texts: dict[int, str] = {}
    for mailbox in _public_mailboxes().filter(pk__in=by_mailbox):
        rows = (
            published(mailbox).filter(letter_id__in=by_mailbox[mailbox.pk]).values_list("letter_id", "published_text")
        )
        texts.update(rows)
    return texts


def is_published(letter: Letter) -> bool:
    return letter.pk in published_texts([letter])


def _expected(letter: Letter) -> str | None:
    """The end of the day the next step is due, while the letter is open."""
    if letter.current_due is None or status_of(letter) == "closed":
        return None
    end = dt.datetime.combine(letter.current_due, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return w3c(end)


def request_out(letter: Letter, published_text: str | None) -> dict[str, Any]:
    """A letter as a GeoReport v2 request, with only what the public may see."""
    unit = letter.handling_unit or letter.intake_unit
    return {
        "service_request_id": letter.tracking_number,
        "status": status_of(letter),
        "status_notes": letter.get_state_display(),
        "service_name": f"{letter.mailbox.display_name} · {letter.get_letter_type_display()}",
        "service_code": service_code(letter.mailbox.slug, letter.letter_type),
        "description": published_text,
        "agency_responsible": unit.display_name,
        "service_notice": None,
        "requested_datetime": w3c(letter.received_at),
        "updated_datetime": w3c(letter.updated_at),
        "expected_datetime": _expected(letter),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def requests_out(letters: list[Letter]) -> list[dict[str, Any]]:
    texts = published_texts(letters)
    return [request_out(letter, texts.get(letter.pk)) for letter in letters]
