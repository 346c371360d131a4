"""Writes made from the console: registering a call, one-click and bulk front-desk work.

Each builds on the letters services (which own every change to a letter) and adds only what the
console itself decides: doing two steps as one, or one step for many letters, each on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts.models import User
from xinfang.console.selectors_desk import refusal_notice
from xinfang.errors import Refused
from xinfang.letters.lifecycle import Conflict
from xinfang.letters.models import AssignmentMode, Letter, LetterState, RefusalReason
from xinfang.letters.services import Submission, letter_accept, letter_assign, letter_refuse
from xinfang.notifications.sms import SmsDeliveryError, send_sms
from xinfang.orgs.models import Unit
from xinfang.pages.callers import CallerLookup as CallerLookup
from xinfang.pages.callers import NewCitizen as NewCitizen
from xinfang.pages.callers import call_register as call_register
from xinfang.pages.callers import caller_look_up as caller_look_up
from xinfang.pages.refusals import refusal_message
from xinfang.routing.engine import propose_for_letter

# ---------------------------------------------------------------- telephone seat
#
# The caller's look-up (``caller_look_up``, limited, scoped, audited) and registering a call
# (``call_register``) are ``pages.callers``, shared with the partner API; named here for the seat's pages.


def call_receipt_send(*, submission: Submission, number: str) -> bool:
    """Text the caller the tracking number and query code; False if the gateway refused it.

    The letter is already registered: a failed text is not an error, the agent reads them out.
    """
    letter = submission.letter
    language = letter.citizen.language if letter.citizen is not None else "zh-hans"
    with translation.override(language):
        text = _("【公安信访】您的来电已登记，信件编号 %(number)s，查询码 %(code)s。凭编号和查询码可查询办理情况。")
    text %= {"number": letter.tracking_number, "code": submission.query_code}
    try:
        send_sms(number, text, idempotency_key=f"call-receipt-{letter.public_id}")
    except SmsDeliveryError:
        return False
    return True


# ---------------------------------------------------------------- front desk


def ensure_fresh(letter: Letter, seen_version: int) -> None:
    """Raise Conflict if ``letter`` changed after the user loaded the page they acted on.

    The lifecycle's conditional update catches two clicks at the same instant; this catches the
    commoner case of a page left open while a colleague acted.
    """
    if letter.version != seen_version:
        raise Conflict(_("这封信刚刚被其他人处理过，请刷新后查看最新情况再操作。"))


def letter_accept_and_assign(*, letter: Letter, actor: User, unit: Unit, mode: str, reason: str = "") -> Letter:
    """Accept (if not yet accepted) and transfer or assign, as one step: both happen or neither.

    On failure ``letter`` is reloaded, so the caller never holds the half-applied state.
    """
    try:
        with transaction.atomic():
            if letter.state == LetterState.RECEIVED:
                letter_accept(letter=letter, actor=actor)
            letter_assign(letter=letter, actor=actor, unit=unit, mode=mode, reason=reason)
    except Refused:
        letter.refresh_from_db()
        raise
    return letter


class BulkAction(models.TextChoices):
    ACCEPT_TRANSFER = "accept_transfer", gettext_lazy("受理并转办至建议单位")
    ACCEPT = "accept", gettext_lazy("仅受理")
    REFUSE = "refuse", gettext_lazy("不予受理（标准告知书）")


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one letter of a bulk action."""

    letter: Letter
    ok: bool
    message: str


def letters_bulk_process(
    *, actor: User, targets: list[tuple[Letter, int]], action: str, refusal_reason: str = ""
) -> list[BulkOutcome]:
    """Apply one front-desk action to many letters, each in its own transaction.

    ``targets`` pairs each letter with the version the acceptor saw: a letter changed since
    then is not touched (Conflict), so a bulk click never acts on something nobody looked at.
    One letter failing never stops or undoes the others.
    """
    if action == BulkAction.REFUSE and refusal_reason not in set(RefusalReason.values) - {RefusalReason.OTHER}:
        raise ValueError("bulk refusal needs a standard reason")
    outcomes = []
    for letter, seen_version in targets:
        try:
            ensure_fresh(letter, seen_version)
            message = _bulk_one(letter, actor, action, refusal_reason)
        except Refused as exc:
            letter.refresh_from_db()
            outcomes.append(BulkOutcome(letter, False, refusal_message(exc)))
        else:
            outcomes.append(BulkOutcome(letter, True, message))
    return outcomes


def _bulk_one(letter: Letter, actor: User, action: str, refusal_reason: str) -> str:
    if action == BulkAction.ACCEPT:
        letter_accept(letter=letter, actor=actor)
        return _("已受理。")
    if action == BulkAction.REFUSE:
        letter_refuse(letter=letter, actor=actor, reason=refusal_reason, text=refusal_notice(letter, refusal_reason))
        return _("已不予受理，并出具书面告知。")
    unit = propose_for_letter(letter).unit
    letter_accept_and_assign(letter=letter, actor=actor, unit=unit, mode=AssignmentMode.TRANSFER)
    return _("已受理并转办至%(unit)s。") % {"unit": unit}
