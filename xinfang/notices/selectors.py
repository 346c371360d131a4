"""Reads for notices: a letter's notices, and one notice for someone who may have it.

Who may have a notice is who may open its letter (``letters.access.letters_visible_to``): the writer
for their own letters, staff for the letters of their unit's tree, never staff recused from the
letter (the accused unit and those under it). The notice goes to the writer and to the organs
handling the letter, never to the accused side.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinfang.accounts.models import User
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Letter
from xinfang.notices.models import Notice


def notices_of_letter(letter: Letter) -> QuerySet[Notice]:
    """The letter's notices whose PDF is ready, in the order they were issued."""
    return (
        Notice.objects.filter(letter=letter).exclude(file="").select_related("issuing_unit").order_by("issued_at", "pk")
    )


def notice_for(user: User, public_id: str) -> Notice:
    """A ready notice of a letter ``user`` may open, or 404 (never telling that a hidden one exists)."""
    try:
        notice = (
            Notice.objects.filter(public_id=public_id, letter__in=letters_visible_to(user))
            .exclude(file="")
            .select_related("letter", "issuing_unit")
            .get()
        )
    except (Notice.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    return notice


def notice_filename(notice: Notice) -> str:
    return f"{notice.get_kind_display()}-{notice.letter.tracking_number}.pdf"
