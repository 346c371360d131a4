"""Intake: a letter arrives (portal, seat, post, e-mail, API) and gets its number, clock and first unit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.id_numbers import normalise_badge_number
from xinfang.accounts.models import Role, User
from xinfang.analysis.emergency import read as read_emergency
from xinfang.letters import due_dates
from xinfang.letters.attachments import attachment_add
from xinfang.letters.lifecycle import LifecycleError, record_receipt
from xinfang.letters.models import (
    AnonymousCaller,
    Attachment,
    Letter,
)
from xinfang.letters.services._common import S
from xinfang.letters.services.query_codes import hash_query_code, new_query_code
from xinfang.letters.tracking import next_tracking_number
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.routing.engine import intake_unit_for
from xinfang.text import clean_input
from xinfang.vocabulary import Channel, LetterType


@dataclass(frozen=True)
class Submission:
    letter: Letter
    query_code: str  # shown to the writer once, stored only hashed
    attachments: list[Attachment] = field(default_factory=list)  # the files sent with the letter


def letter_submit(
    *,
    mailbox: Mailbox,
    actor: User,
    letter_type: str,
    channel: str,
    subject: str,
    text: str,
    division_code: str = "",
    address: str = "",
    police_type: str = "",
    accused_unit: Unit | None = None,
    accused_officer_name: str = "",
    accused_badge_number: str = "",
    accused_officer_post: str = "",
    accuses_leadership: bool = False,
    consent_to_publish: bool = False,
    citizen: User | None = None,
    anonymous_phone: str | None = None,
    repeat_of: Letter | None = None,
    uploads: Sequence[File[bytes]] = (),
) -> Submission:
    """Receive a letter: from a citizen (``actor`` is the citizen) or registered by a seat agent.

    A seat agent registers it for ``citizen`` or, where the mailbox allows anonymous telephone
    reports, for an anonymous caller (``anonymous_phone``). Returns the letter and its query code.

    Naming an officer (name, badge number or post) is an accusation: with no unit given, the
    bureau of the letter's place is the accused unit, so recusal applies from the first moment.

    ``uploads`` are the files sent with the letter (``attachment_add`` checks each; a rejected
    one raises ``AttachmentRejected`` and nothing is kept). They are stored before the receipt is
    recorded, so that the log's receipt entry, written in the same transaction, covers them.

    One transaction, with no savepoint unless a caller's transaction surrounds it (the seat's):
    four INSERTs (the letter, its timeline row, the log's two entries in one statement, the
    notification task) and, once per ``tracking.BLOCK`` letters of a mailbox, the tracking
    counter (tests/portal/test_intake_budget.py keeps the count).
    """
    subject, text, address = clean_input(subject), clean_input(text), clean_input(address)  # for every channel
    accused_officer_name, accused_officer_post = clean_input(accused_officer_name), clean_input(accused_officer_post)
    accused_badge_number = normalise_badge_number(accused_badge_number)  # one spelling: full-width, spaced
    officer = {"name": accused_officer_name, "badge": accused_badge_number, "post": accused_officer_post}
    accused_unit = _accused_at_submission(letter_type, division_code, accused_unit, officer)
    recusing = accused_unit or _named_unit_recusing(mailbox, letter_type, division_code, f"{subject}\n{text}")
    _check_submission(
        mailbox, actor, letter_type, channel, subject, text, citizen, anonymous_phone, police_type, accused_unit
    )
    writer = actor if actor.is_citizen else citizen
    if repeat_of is not None and (writer is None or repeat_of.citizen_id != writer.pk):
        raise LifecycleError(_("只能关联同一信访人的信件。"))
    code = new_query_code()
    now = timezone.now()
    letter = Letter(
        mailbox=mailbox,
        letter_type=letter_type,
        channel=channel,
        subject=subject.strip(),
        text=text.strip(),
        division_code=division_code,
        address=address,
        police_type=police_type,
        accused_unit=accused_unit,
        accused_officer_name=accused_officer_name,
        accused_badge_number=accused_badge_number,
        accused_officer_post=accused_officer_post,
        accuses_leadership=accuses_leadership,
        consent_to_publish=consent_to_publish,
        citizen=writer,
        registered_by=None if actor.is_citizen else actor,
        repeat_of=repeat_of,
        intake_unit=intake_unit_for(mailbox, recusing),  # the text alone keeps the accused desk away
        query_code_hash=hash_query_code(code),
        received_at=now,
        acceptance_clock_from=now,
    )
    for name, value in due_dates.compute(letter).as_changes(S.RECEIVED).items():
        setattr(letter, name, value)
    letter.owing_unit = letter.intake_unit
    reading = read_emergency(f"{letter.subject}\n{letter.text}")  # every channel, not only the portal's stop
    letter.emergency_flag, letter.emergency_words = reading.flagged, list(reading.words)
    stored: list[Attachment] = []
    try:
        with transaction.atomic():  # outermost (the portal): no savepoint; inside a caller's: one
            if anonymous_phone is not None:
                letter.anonymous_caller = AnonymousCaller.objects.create(phone=anonymous_phone)
            day = timezone.localdate(now).strftime("%Y%m%d")
            letter.tracking_number = next_tracking_number(mailbox.tracking_prefix, day)
            letter.save(force_insert=True)
            stored.extend(attachment_add(letter=letter, upload=upload, actor=actor) for upload in uploads)
            record_receipt(letter, actor=actor, attachments=stored)
    except BaseException:
        _delete_files(stored)
        raise
    return Submission(letter=letter, query_code=code, attachments=stored)


def _delete_files(attachments: list[Attachment]) -> None:
    """Files stored for a submission that did not commit (their rows are rolled back)."""
    for attachment in attachments:
        for stored in (attachment.file, attachment.sanitised):
            if stored:
                stored.delete(save=False)


def _named_unit_recusing(mailbox: Mailbox, letter_type: str, division_code: str, text: str) -> Unit | None:
    from xinfang.letters.accusation import named_unit_recusing

    return named_unit_recusing(text, letter_type=letter_type, division_code=division_code, desk=mailbox.owner)


def _accused_at_submission(
    letter_type: str, division_code: str, accused_unit: Unit | None, officer: Mapping[str, str]
) -> Unit | None:
    """The accused unit a submission states: the one given, or, when an officer is named, the place's bureau."""
    from xinfang.letters.accusation import place_bureau

    if not any(value.strip() for value in officer.values()):
        return accused_unit
    if letter_type not in (LetterType.COMPLAINT, LetterType.REPORT):
        raise LifecycleError(_("只有投诉和举报可以填写被反映的单位或民警。"))
    if accused_unit is not None:
        return accused_unit
    place = place_bureau(division_code)
    if place is None:
        raise LifecycleError(_("填写了被反映民警时，请同时填写被反映单位或事发地。"))
    return place


def _check_submission(
    mailbox: Mailbox,
    actor: User,
    letter_type: str,
    channel: str,
    subject: str,
    text: str,
    citizen: User | None,
    anonymous_phone: str | None,
    police_type: str,
    accused_unit: Unit | None,
) -> None:
    if not mailbox.is_active:
        raise LifecycleError(_("该信箱已停止受理。"))
    if letter_type not in LetterType.values or not mailbox.takes(letter_type):
        raise LifecycleError(_("该信箱不受理此类信件。"))
    if channel not in Channel.values or channel not in mailbox.channels:
        raise LifecycleError(_("该信箱未开通此渠道。"))
    if police_type and police_type not in PoliceType.values:
        raise LifecycleError(_("警种无效。"))
    if accused_unit is not None and letter_type not in (LetterType.COMPLAINT, LetterType.REPORT):
        raise LifecycleError(_("只有投诉和举报可以填写被反映单位。"))
    if not subject.strip() or not text.strip():
        raise LifecycleError(_("标题和内容不能为空。"))
    if actor.is_citizen:
        return
    if not actor.has_role(Role.SEAT_AGENT):
        raise LifecycleError(_("只有话务坐席可以代为登记来电。"))
    if citizen is None and anonymous_phone is None:
        raise LifecycleError(_("请填写实名来电人或登记匿名来电。"))
    if citizen is None and not (mailbox.allows_anonymous_phone and channel == Channel.TELEPHONE):
        raise LifecycleError(_("该信箱不受理匿名来电。"))
    if citizen is not None and not citizen.is_citizen:
        raise LifecycleError(_("来电人必须是群众账户。"))
