"""Reads for the citizen portal: mailboxes, published letters, and a letter as its writer sees it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinfang.accounts.models import User
from xinfang.deadlines.law import describe
from xinfang.deadlines.policies import LEGAL_DEFAULTS, Step, limit_for
from xinfang.letters.access import Other, available_actions
from xinfang.letters.lifecycle import Action
from xinfang.letters.models import Attachment, Letter, LetterState, Message
from xinfang.orgs.models import Mailbox, Unit
from xinfang.pages.writer_view import TimelineEntry as TimelineEntry
from xinfang.pages.writer_view import citizen_messages as citizen_messages
from xinfang.pages.writer_view import citizen_timeline as citizen_timeline
from xinfang.pages.writer_view import letter_by_lookup as letter_by_lookup
from xinfang.publication.models import Publication
from xinfang.publication.selectors import PublicFilters, published, published_one
from xinfang.table_cache import KeyedCache
from xinfang.vocabulary import LetterType

S = LetterState


# ---------------------------------------------------------------- mailboxes


def mailbox_by_slug(slug: str) -> Mailbox:
    """The active mailbox, from the per-process copy (every portal page of a mailbox asks)."""
    try:
        return _active_mailboxes.get("all")[slug]
    except KeyError as exc:
        raise Http404 from exc


def _load_active_mailboxes(_key: str) -> dict[str, Mailbox]:
    return {m.slug: m for m in Mailbox.objects.select_related("owner").filter(is_active=True)}


_active_mailboxes: KeyedCache[str, dict[str, Mailbox]] = KeyedCache(_load_active_mailboxes, watch=(Mailbox, Unit))


def _limit_text(step: Step, mailbox: Mailbox, letter_type: str | None = None) -> str:
    limit = limit_for(step, mailbox=mailbox, letter_type=letter_type)
    return describe(limit.days, limit.day_kind)


def mailbox_time_limits(mailbox: Mailbox) -> list[str]:
    """The mailbox's time limits in plain words, with any stricter limit for a letter type."""
    values = {
        "accept": _limit_text(Step.ACCEPTANCE, mailbox),
        "reply": _limit_text(Step.REPLY, mailbox),
        "extension": _limit_text(Step.EXTENSION, mailbox),
        "review_request": _limit_text(Step.REVIEW_REQUEST, mailbox),
        "review_answer": _limit_text(Step.REVIEW_ANSWER, mailbox),
        "reexam_request": _limit_text(Step.REEXAM_REQUEST, mailbox),
        "reexam_answer": _limit_text(Step.REEXAM_ANSWER, mailbox),
    }
    lines = [
        _("收到来信后 %(accept)s内告知您是否受理。") % values,
        _("受理后 %(reply)s内办结并答复；情况复杂的，经领导批准可延长一次，最多 %(extension)s，并告知您理由。")
        % values,
        _("对答复不满意，可在收到答复后 %(review_request)s内向上一级机关申请复查，复查机关 %(review_answer)s内答复。")
        % values,
        _("对复查意见不服，可在收到后 %(reexam_request)s内申请复核。") % values,
        _("复核机关 %(reexam_answer)s内答复，复核意见为最终结论。") % values,
    ]
    for letter_type in mailbox.letter_types:
        own = _limit_text(Step.REPLY, mailbox, letter_type)
        if own != values["reply"]:
            lines.append(
                _("其中“%(type)s”类来信，受理后 %(limit)s内答复。")
                % {"type": LetterType(letter_type).label, "limit": own}
            )
    return lines


PROMISED_STEPS = (Step.ACCEPTANCE, Step.REPLY, Step.REVIEW_ANSWER, Step.REEXAM_ANSWER)


def mailbox_promises(mailbox: Mailbox) -> list[str]:
    """The mailbox's own time limits where they are stricter than the law (set in the admin)."""
    lines = []
    for step in PROMISED_STEPS:
        law = LEGAL_DEFAULTS[step]
        for letter_type in (None, *mailbox.letter_types):
            limit = limit_for(step, mailbox=mailbox, letter_type=letter_type)
            if (limit.days, limit.day_kind) == (law.days, law.day_kind):
                continue
            if letter_type is not None and limit == limit_for(step, mailbox=mailbox, letter_type=None):
                continue  # the same as the mailbox's own limit for every type
            values = {
                "step": step.label,
                "limit": describe(limit.days, limit.day_kind),
                "law": describe(law.days, law.day_kind),
            }
            if letter_type is None:
                lines.append(_("%(step)s：%(limit)s（法定 %(law)s）") % values)
            else:
                values["type"] = LetterType(letter_type).label
                lines.append(_("“%(type)s”类来信%(step)s：%(limit)s（法定 %(law)s）") % values)
    return lines


# ---------------------------------------------------------------- published letters


def publications_of(mailbox: Mailbox, query: str = "") -> QuerySet[Publication]:
    """The letters this mailbox has released, newest first, optionally searched by words
    (``publication.selectors.published``: only approved, never unpublished)."""
    return published(mailbox, PublicFilters(query=query))


def publication_for(mailbox: Mailbox, public_id: str) -> Publication:
    return published_one(mailbox, public_id)


# ---------------------------------------------------------------- a citizen's letters
#
# A letter as its writer sees it (timeline, conversation, the look-up by tracking number and query
# code) is ``pages.writer_view``, shared with the partner API; named here for the portal's views.


def letters_of_citizen(user: User) -> QuerySet[Letter]:
    """The citizen's letters, newest first, with the count of handler messages not yet read."""
    unread = Count("messages", filter=Q(messages__kind=Message.Kind.TO_CITIZEN, messages__read_at__isnull=True))
    return (
        Letter.objects.filter(citizen=user)
        .select_related("mailbox")
        .annotate(unread=unread)
        .order_by("-received_at", "-pk")
    )


def citizen_letter_attachments(letter: Letter) -> list[Attachment]:
    """The files the writer attached to the letter itself (not to messages)."""
    return list(letter.attachments.filter(internal=False, message__isnull=True).order_by("uploaded_at", "pk"))


@dataclass(frozen=True)
class CitizenOptions:
    """What the writer may do now; request buttons show only inside their legal window."""

    message: bool
    supply_info: bool
    evaluate: bool
    request_review: bool
    request_reexam: bool


def citizen_options(user: User, letter: Letter) -> CitizenOptions:
    """As ``letters.access.available_actions`` says (the request windows are its guards)."""
    offers = available_actions(user, letter)
    return CitizenOptions(
        message=offers[Other.CITIZEN_MESSAGE].allowed,
        supply_info=offers[Action.SUPPLY_INFO].allowed,
        evaluate=offers[Action.EVALUATE].allowed,
        request_review=offers[Action.REQUEST_REVIEW].allowed,
        request_reexam=offers[Action.REQUEST_REEXAM].allowed,
    )


@dataclass(frozen=True)
class DueLine:
    label: str
    date: dt.date


def citizen_due_dates(letter: Letter) -> list[DueLine]:
    """The dates that matter to the writer in the letter's present state."""
    by_state: dict[str, list[tuple[str, str]]] = {
        S.RECEIVED: [("accept_due", _("受理告知期限"))],
        S.ACCEPTED: [("reply_due", pgettext("due date", "答复期限"))],
        S.ASSIGNED: [("reply_due", pgettext("due date", "答复期限"))],
        S.IN_HANDLING: [("reply_due", pgettext("due date", "答复期限"))],
        S.REPLY_DRAFTED: [("reply_due", pgettext("due date", "答复期限"))],
        S.REPLIED: [("evaluation_due", _("评价截止")), ("review_request_due", _("申请复查截止"))],
        S.EVALUATED: [("review_request_due", _("申请复查截止"))],
        S.REVIEW_REQUESTED: [("review_due", _("复查答复期限"))],
        S.REVIEW_ANSWERED: [("reexam_request_due", _("申请复核截止"))],
        S.REEXAM_REQUESTED: [("reexam_due", _("复核答复期限"))],
    }
    lines = []
    for field, label in by_state.get(letter.state, []):
        value: Any = getattr(letter, field)
        if value is not None:
            lines.append(DueLine(label, value))
    return lines


def letter_by_public_id(public_id: str) -> Letter:
    """For a lookup already granted in this session (the view checks the grant)."""
    try:
        return Letter.objects.select_related("mailbox").get(public_id=public_id)
    except (Letter.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
