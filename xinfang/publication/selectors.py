"""Reads of the publication workflow: the publisher's candidates, the leader's approvals, a
publication for staff, and what the public reads (only ``published``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from xinfang.accounts.models import Role, User
from xinfang.letters.access import bureau_id, letters_visible_to
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox
from xinfang.publication.models import Publication, PublicationState
from xinfang.publication.rules import publishable_q

SEARCH_WORDS = 5
PUBLIC_PAGE_SIZE = 20
# A mailbox's public list counts its matches up to this many and then says "more than"; the pages
# go no deeper than MAX_PUBLIC_PAGE (an OFFSET reads every row it skips). Measured at 100,000
# published letters: docs/benchmarks.md.
COUNT_CAP = 1000
MAX_PUBLIC_PAGE = 250


@dataclass(frozen=True)
class CandidateFilters:
    mailbox: Mailbox | None = None
    letter_type: str = ""
    police_type: str = ""
    replied_from: dt.date | None = None
    replied_to: dt.date | None = None


def candidates_for(user: User, filters: CandidateFilters = CandidateFilters()) -> QuerySet[Letter]:
    """Letters ``user`` may see that may be published now (``rules``), newest reply first, with
    their publication if one exists."""
    if not user.has_role(Role.PUBLISHER):
        return Letter.objects.none()
    letters = letters_visible_to(user).filter(publishable_q())
    if filters.mailbox is not None:
        letters = letters.filter(mailbox=filters.mailbox)
    if filters.letter_type:
        letters = letters.filter(letter_type=filters.letter_type)
    if filters.police_type:
        letters = letters.filter(police_type=filters.police_type)
    if filters.replied_from is not None:
        letters = letters.filter(replied_at__date__gte=filters.replied_from)
    if filters.replied_to is not None:
        letters = letters.filter(replied_at__date__lte=filters.replied_to)
    return letters.select_related("mailbox", "handling_unit", "publication").order_by("-replied_at", "-pk")


def mailboxes_for(user: User) -> QuerySet[Mailbox]:
    """The mailboxes of the letters a publisher may see (the filter's choices)."""
    return Mailbox.objects.filter(pk__in=letters_visible_to(user).values("mailbox")).order_by("name")


def publication_for_staff(user: User, public_id: str) -> Publication:
    """A publication of a letter ``user`` may see, or 404."""
    try:
        return (
            Publication.objects.select_related("letter", "letter__mailbox", "letter__handling_unit", "unit")
            .filter(letter__in=letters_visible_to(user).values("pk"))
            .get(public_id=public_id)
        )
    except (Publication.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def awaiting_approval(user: User) -> list[Publication]:
    """Submitted publications of the leader's bureau that the leader may see."""
    if not user.has_role(Role.LEADER) or user.unit is None:
        return []
    submitted = (
        Publication.objects.filter(state=PublicationState.SUBMITTED, letter__in=letters_visible_to(user).values("pk"))
        .select_related("letter", "unit")
        .order_by("submitted_at", "pk")
    )
    own = bureau_id(user.unit)
    return [p for p in submitted if p.unit is not None and bureau_id(p.unit) == own]


def publications_of_unit(user: User) -> QuerySet[Publication]:
    """The publications of letters ``user`` may see, newest first (the publisher's own list)."""
    return (
        Publication.objects.filter(letter__in=letters_visible_to(user).values("pk"))
        .select_related("letter")
        .order_by("-pk")
    )


# ---------------------------------------------------------------- the public


@dataclass(frozen=True)
class PublicFilters:
    query: str = ""
    letter_type: str = ""
    police_type: str = ""
    month: dt.date | None = None  # the first day of the month


# On PostgreSQL, a two-character word: the pair is among the texts' character pairs (the GIN
# index of migration 0005) and the word is in one of the texts. ``strpos`` rather than LIKE, so
# that the planner does not read the trigram indexes, which cannot narrow two characters.
TWO_CHARACTERS_SQL = (
    "xinfang_bigrams(UPPER(portal_publication.title || ' ' || portal_publication.published_text"
    " || ' ' || portal_publication.published_reply)) @> ARRAY[%s]::text[]"
    " AND (strpos(UPPER(portal_publication.title), %s) > 0"
    " OR strpos(UPPER(portal_publication.published_text), %s) > 0"
    " OR strpos(UPPER(portal_publication.published_reply), %s) > 0)"
)


def _contains(word: str) -> Q:
    """The title, letter or reply contains ``word`` (any case).

    A substring match, which the trigram indexes of migration 0004 serve on PostgreSQL — except
    for two characters (most Chinese search words), which ``pg_trgm`` cannot index: then the pair
    is looked up in the pairs index as well. The planner orders the conditions by cost, so on a
    walk through the newest rows (a common word) the cheap ``strpos`` runs first and the pairs are
    computed only for the rows that match; for a rare word it reads the pairs index
    (measured: docs/benchmarks.md)."""
    if len(word) == 2 and connection.vendor == "postgresql":
        # A constant expression; the word is a bound parameter (so S611 does not apply).
        return Q(RawSQL(TWO_CHARACTERS_SQL, (word.upper(),) * 4, output_field=BooleanField()))  # noqa: S611  # nosec B611
    return Q(title__icontains=word) | Q(published_text__icontains=word) | Q(published_reply__icontains=word)


def published(mailbox: Mailbox, filters: PublicFilters = PublicFilters()) -> QuerySet[Publication]:
    """The mailbox's public letters, newest first. Search is a substring match of each word in the
    title, letter or reply, so Chinese needs no spaces (``_contains``: indexed on PostgreSQL)."""
    rows = Publication.objects.filter(
        mailbox=mailbox, state=PublicationState.PUBLISHED, published_at__lte=timezone.now()
    )
    for word in filters.query.split()[:SEARCH_WORDS]:
        rows = rows.filter(_contains(word))
    if filters.letter_type:
        rows = rows.filter(letter__letter_type=filters.letter_type)
    if filters.police_type:
        rows = rows.filter(letter__police_type=filters.police_type)
    if filters.month is not None:
        local = timezone.get_current_timezone()
        start = dt.datetime(filters.month.year, filters.month.month, 1, tzinfo=local)
        end = dt.datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=local)
        rows = rows.filter(published_at__gte=start, published_at__lt=end)  # a range the index serves
    return rows.select_related("letter", "letter__handling_unit").order_by("-published_at", "-pk")


@dataclass(frozen=True)
class PublicPage:
    """One page of a mailbox's public list. ``total`` is exact up to ``COUNT_CAP``; above it
    ``total_capped`` is set and ``total`` is the cap ("more than 1,000")."""

    rows: list[Publication]
    number: int
    has_next: bool
    total: int
    total_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages when the total is exact, else ``None``."""
        if self.total_capped:
            return None
        return max(1, -(-self.total // PUBLIC_PAGE_SIZE))


def public_page(mailbox: Mailbox, filters: PublicFilters, number: int) -> PublicPage:
    """Page ``number`` (from 1, at most ``MAX_PUBLIC_PAGE``) of ``published(mailbox, filters)``.

    No unbounded ``COUNT(*)``: the page reads one row more than it shows (is there a next page?),
    and the total is counted only when the page does not already tell it, and only up to
    ``COUNT_CAP`` (a common word matches tens of thousands of letters; counting them all cost
    0.4 s at 100,000 published letters)."""
    number = min(max(number, 1), MAX_PUBLIC_PAGE)
    matches = published(mailbox, filters)
    offset = (number - 1) * PUBLIC_PAGE_SIZE
    rows = list(matches[offset : offset + PUBLIC_PAGE_SIZE + 1])
    has_next = len(rows) > PUBLIC_PAGE_SIZE
    rows = rows[:PUBLIC_PAGE_SIZE]
    if rows and not has_next:
        total = offset + len(rows)
    elif not rows and number == 1:
        total = 0
    else:
        total = matches.order_by().values("pk")[: COUNT_CAP + 1].count()
    capped = total > COUNT_CAP
    if not rows and total:  # past the end (an old link): the last page, or the first if uncounted
        return public_page(mailbox, filters, 1 if capped else -(-total // PUBLIC_PAGE_SIZE))
    return PublicPage(
        rows=rows,
        number=number,
        has_next=has_next and number < MAX_PUBLIC_PAGE,
        total=min(total, COUNT_CAP),
        total_capped=capped,
    )


def published_one(mailbox: Mailbox, public_id: str) -> Publication:
    try:
        return published(mailbox).get(public_id=public_id)
    except (Publication.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
