"""Reads of the publication workflow: the publisher's candidates, the leader's approvals, a
publication for staff, and what the public reads (only ``published``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xinfang.accounts.models import Role, User
from xinfang.letters.access import bureau_id, letters_visible_to
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox
from xinfang.publication.models import Publication, PublicationState
from xinfang.publication.rules import publishable_q

SEARCH_WORDS = 5


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


def published(mailbox: Mailbox, filters: PublicFilters = PublicFilters()) -> QuerySet[Publication]:
    """The mailbox's public letters, newest first. Search is a substring match of each word in the
    title, letter or reply, so Chinese needs no spaces (trigram indexes on PostgreSQL)."""
    rows = Publication.objects.filter(
        mailbox=mailbox, state=PublicationState.PUBLISHED, published_at__lte=timezone.now()
    )
    for word in filters.query.split()[:SEARCH_WORDS]:
        rows = rows.filter(
            Q(title__icontains=word) | Q(published_text__icontains=word) | Q(published_reply__icontains=word)
        )
    if filters.letter_type:
        rows = rows.filter(letter__letter_type=filters.letter_type)
    if filters.police_type:
        rows = rows.filter(letter__police_type=filters.police_type)
    if filters.month is not None:
        rows = rows.filter(published_at__year=filters.month.year, published_at__month=filters.month.month)
    return rows.select_related("letter", "letter__handling_unit").order_by("-published_at", "-pk")


def published_one(mailbox: Mailbox, public_id: str) -> Publication:
    try:
        return published(mailbox).get(public_id=public_id)
    except (Publication.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
