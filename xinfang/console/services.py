"""Writes made from the console: registering a call, one-click and bulk front-desk work.

Each builds on the letters services (which own every change to a letter) and adds only what the
console itself decides: doing two steps as one, or one step for many letters, each on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts.models import User
from xinfang.accounts.selectors import citizen_by_phone, citizen_identity
from xinfang.accounts.services import citizen_create
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.console.selectors_desk import caller_citizen, caller_letters, refusal_notice, seat_mailboxes
from xinfang.errors import Refused
from xinfang.letters.lifecycle import Conflict, LifecycleError
from xinfang.letters.models import AssignmentMode, Letter, LetterState, RefusalReason
from xinfang.letters.services import Submission, letter_accept, letter_assign, letter_refuse, letter_submit
from xinfang.notifications.sms import SmsDeliveryError, send_sms
from xinfang.orgs.models import Mailbox, Unit
from xinfang.pages import throttling
from xinfang.pages.refusals import refusal_message
from xinfang.routing.engine import propose_for_letter
from xinfang.vault import lookup_hash

# ---------------------------------------------------------------- telephone seat


CALLER_LOOKUPS_PER_SEAT = 30  # a seat answers a call every few minutes: 30 in 15 minutes is a generous day's peak
CALLER_LOOKUP_WINDOW = 15 * 60
EARLIER_LETTERS_SHOWN = 20
AUDIT_NUMBER_PURPOSE = "caller-lookup"


@dataclass(frozen=True)
class CallerLookup:
    """What a seat learns from a caller's number: the caller's account and earlier letters in its jurisdiction."""

    citizen: User | None
    letters: list[Letter]


def caller_look_up(*, actor: User, number: str) -> CallerLookup:
    """Look up the caller on ``number`` (normalised) for the seat ``actor``: limited, scoped, recorded.

    1. At most ``CALLER_LOOKUPS_PER_SEAT`` look-ups per seat in ``CALLER_LOOKUP_WINDOW`` seconds;
       over that, ValidationError on ``number`` and nothing is looked up.
    2. Only a caller who wrote into the seat's jurisdiction is found, with only the letters there
       (``selectors_desk.caller_citizen``): an account elsewhere and no account look the same.
    3. One audit row per look-up: the seat, the number's keyed hash (never the number), whether a
       caller was found and which letters were shown.
    """
    if throttling.hit("caller-lookup", str(actor.pk), window_seconds=CALLER_LOOKUP_WINDOW) > CALLER_LOOKUPS_PER_SEAT:
        message = _("查询来电号码过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": CALLER_LOOKUP_WINDOW // 60}
        raise ValidationError({"number": message}, code="throttled")
    citizen = caller_citizen(actor, number)
    letters = list(caller_letters(actor, number)[:EARLIER_LETTERS_SHOWN])
    data = {
        "view": "caller_lookup",
        "number_hash": lookup_hash(AUDIT_NUMBER_PURPOSE, number),
        "caller_found": citizen is not None,
        "letters": [letter.tracking_number for letter in letters],
    }
    with transaction.atomic():
        audit_record(kind=AuditKind.IDENTITY_REVEAL, actor=actor, subject=citizen, data=data)
    return CallerLookup(citizen, letters)


@dataclass(frozen=True)
class NewCitizen:
    """A real-name caller without an account, whose name, ID number and phone the agent has checked."""

    real_name: str
    id_number: str
    phone: str


def call_register(
    *,
    actor: User,
    mailbox: Mailbox,
    fields: dict[str, Any],
    citizen: User | None = None,
    new_citizen: NewCitizen | None = None,
    anonymous_phone: str | None = None,
) -> Submission:
    """Register a telephone call as a letter, for exactly one kind of caller.

    1. The agent may register only into a mailbox of their own bureau that takes calls.
    2. A new real-name caller gets a citizen account (SMS sign-in only) in the same transaction
       as the letter, so a refused letter leaves no stray account.
    """
    if sum(x is not None for x in (citizen, new_citizen, anonymous_phone)) != 1:
        raise ValueError("give exactly one of citizen, new_citizen and anonymous_phone")
    if mailbox.pk not in {m.pk for m in seat_mailboxes(actor)}:
        raise LifecycleError(_("您不能为该信箱登记来电。"))
    with transaction.atomic():
        if new_citizen is not None:
            citizen = _account_of_new_caller(new_citizen)
        return letter_submit(mailbox=mailbox, actor=actor, citizen=citizen, anonymous_phone=anonymous_phone, **fields)


def _account_of_new_caller(caller: NewCitizen) -> User:
    """The account for a real-name caller the seat did not find: a new one, or the one already on
    the number if its name and ID number are the ones the agent checked with the caller.

    A seat finds only callers in its own jurisdiction (``caller_look_up``), so a citizen who wrote
    only elsewhere comes here as "new"; saying "this number has an account" to anyone who types it
    would undo that, so only a caller who gives the account's own identity is matched to it.
    """
    existing = citizen_by_phone(caller.phone)
    if existing is None:
        return citizen_create(
            real_name=caller.real_name, id_number=caller.id_number, phone=caller.phone, password=None,
            phone_verified_at=None,
        )  # fmt: skip
    identity = citizen_identity(existing)
    given = (" ".join(caller.real_name.split()), caller.id_number.upper())
    if identity is None or (identity.real_name, identity.id_number.upper()) != given:
        raise LifecycleError(_("姓名、身份证号码与该手机号码登记的信息不一致，请与来电人核对后再登记。"))
    return existing


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
