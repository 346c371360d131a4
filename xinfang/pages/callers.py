"""The caller on a telephone number, as a seat may know them, and registering their call: shared by
the seat's call page (the console) and the partner API (the telephony screen-pop, a call registered
by a telephony system), so both show exactly the same letters and refuse the same registrations.

``caller_look_up`` is the one way to look a number up for a seat: limited per seat, scoped to the
seat's jurisdiction (``letters.access.caller_letters_visible_to``), and audited. ``call_register``
is the one way a seat registers a call as a letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.accounts.selectors import anonymous_callers_by_phone, citizen_by_phone, citizen_identity
from xinfang.accounts.services import citizen_create
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.letters.access import caller_letters_visible_to
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import Letter
from xinfang.letters.services import Submission, letter_submit
from xinfang.orgs.models import Mailbox
from xinfang.pages import throttling
from xinfang.vault import lookup_hash
from xinfang.vocabulary import Channel

CALLER_LOOKUPS_PER_SEAT = 30  # a seat answers a call every few minutes: 30 in 15 minutes is a generous day's peak
CALLER_LOOKUP_WINDOW = 15 * 60
EARLIER_LETTERS_SHOWN = 20
AUDIT_NUMBER_PURPOSE = "caller-lookup"
CALLER_LETTER_RELATED = ("mailbox", "intake_unit", "handling_unit", "citizen__identity", "anonymous_caller")


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
    return letters.select_related(*CALLER_LETTER_RELATED).order_by("-received_at", "-pk")


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
       (``caller_citizen``): an account elsewhere and no account look the same.
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
