"""Reads for the telephone seats and the front desk."""

from __future__ import annotations

import re

from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.accounts.selectors import anonymous_callers_by_phone, citizen_by_phone
from xinfang.letters.access import caller_letters_visible_to, letters_visible_to
from xinfang.letters.models import Letter, LetterState, RefusalReason
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel

LIST_RELATED = ("mailbox", "intake_unit", "handling_unit", "citizen__identity", "anonymous_caller")
# The queue routes every row it shows: what the routing engine reads comes with the letters.
QUEUE_RELATED = (
    *LIST_RELATED,
    "mailbox__owner",
    "intake_unit__bureau_of_department",
    "handling_unit__bureau_of_department",
)


def normalise_phone(number: str) -> str:
    """What a telephony system or an agent types (``+86 138-0013-8000``) as the stored form ``13800138000``."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def seat_mailboxes(user: User) -> list[Mailbox]:
    """Mailboxes of the agent's own bureau that take telephone calls (a handful at most)."""
    if user.unit is None:
        return []
    bureau = user.unit.bureau
    mailboxes = Mailbox.objects.filter(Q(owner=bureau) | Q(owner__bureau_of_department=bureau), is_active=True)
    ordered = mailboxes.select_related("owner").order_by("-is_national", "pk")
    return [m for m in ordered if Channel.TELEPHONE in m.channels]


def caller_citizen(user: User, number: str) -> User | None:
    """The citizen account on ``number``, if it is a caller in ``user``'s jurisdiction: one who
    wrote a letter the seat may recognise a caller by (``caller_letters_visible_to``). An account
    that wrote only elsewhere, or none at all, is None alike."""
    citizen = citizen_by_phone(number) if number else None
    if citizen is None or not caller_letters_visible_to(user).filter(citizen=citizen).exists():
        return None
    return citizen


def caller_letters(user: User, number: str) -> QuerySet[Letter]:
    """Earlier letters of the caller on ``number`` within ``user``'s jurisdiction: by their citizen
    account and as an anonymous caller from the same number; newest first."""
    if not number:
        return Letter.objects.none()
    citizen = caller_citizen(user, number)
    # The calls as a list: ``citizen = … OR anonymous_caller IN (list)`` is two index scans,
    # where ``IN (subquery)`` under an OR read every letter (docs/benchmarks.md).
    calls = list(anonymous_callers_by_phone(number).values_list("pk", flat=True))
    by_phone = Q(anonymous_caller_id__in=calls)
    if citizen is not None:
        by_phone |= Q(citizen=citizen)
    letters = caller_letters_visible_to(user).filter(by_phone)
    return letters.select_related(*LIST_RELATED).order_by("-received_at", "-pk")


def desk_queue(user: User) -> QuerySet[Letter]:
    """The front desk's work: letters flagged as an emergency in progress first, then the nearest deadline.

    New letters at the bureau's intake (received, including those whose writer has supplied
    what was asked, and accepted but not yet routed), and
    letters a superior unit passed down to the bureau itself for routing further. Recusal
    applies (``letters_visible_to``).
    """
    if user.unit is None:
        return Letter.objects.none()
    bureau = user.unit.bureau
    new_here = Q(intake_unit=bureau, handling_unit__isnull=True, state__in=[LetterState.RECEIVED, LetterState.ACCEPTED])
    passed_down = Q(handling_unit=bureau, state=LetterState.ASSIGNED)
    return (
        letters_visible_to(user)
        .filter(new_here | passed_down)
        .select_related(*QUEUE_RELATED)
        .order_by(F("emergency_flag").desc(), F("current_due").asc(nulls_last=True), "received_at", "pk")
    )


def refusal_notice(letter: Letter, reason: str) -> str:
    """The standard written notice of non-acceptance (不予受理告知书) for a reason code.

    Written in Chinese whatever the acceptor's language: it is the official notice the writer receives.
    """
    with translation.override("zh-hans"):
        finding = _("您于%(date)s提交的信件（编号 %(number)s）经审查，%(reason)s。")
        decision = _("依照《信访工作条例》的有关规定，本机关决定不予受理。特此告知。")
        return f"{finding}{decision}" % {
            "date": timezone.localtime(letter.received_at).strftime("%Y-%m-%d"),
            "number": letter.tracking_number,
            "reason": RefusalReason(reason).label,
        }
