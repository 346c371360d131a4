"""Reads for the telephone seats and the front desk."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.letters.access import letters_owed_under_visible_to
from xinfang.letters.models import DESK_WAITING, Letter, RefusalReason
from xinfang.pages.callers import caller_citizen as caller_citizen
from xinfang.pages.callers import caller_letters as caller_letters
from xinfang.pages.callers import normalise_phone as normalise_phone
from xinfang.pages.callers import seat_mailboxes as seat_mailboxes

LIST_RELATED = ("mailbox", "intake_unit", "handling_unit", "citizen__identity", "anonymous_caller")
# The queue routes every row it shows: what the routing engine reads comes with the letters.
QUEUE_RELATED = (
    *LIST_RELATED,
    "mailbox__owner",
    "intake_unit__bureau_of_department",
    "handling_unit__bureau_of_department",
)


def desk_queue(user: User) -> QuerySet[Letter]:
    """The front desk's work: letters flagged as an emergency in progress first, then the nearest deadline.

    New letters at the bureau's intake (received, including those whose writer has supplied
    what was asked, and accepted but not yet routed), and
    letters a superior unit passed down to the bureau itself for routing further: both are
    letters the bureau itself owes (``owing_unit``) that wait at a desk (``DESK_WAITING``), read
    in this order from one partial index (``letter_desk_owed_idx``), at 10,000,000 letters too
    (docs/benchmarks.md). Recusal applies (``letters_owed_under_visible_to``).
    """
    if user.unit is None:
        return Letter.objects.none()
    return (
        letters_owed_under_visible_to(user)
        .filter(DESK_WAITING, owing_unit=user.unit.bureau)
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
