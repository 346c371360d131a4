"""Every write to a letter is one of these services (STYLE habit 2).

Each is keyword-only, takes ``actor``, runs in one transaction, goes through
``lifecycle.apply`` for the state change and its timeline row, and stores the due dates that
``due_dates.compute`` derives. Errors the user can act on are ``LifecycleError`` with a
translated message; two staff acting at once get ``Conflict``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.id_numbers import normalise_badge_number
from xinfang.accounts.models import Role, User
from xinfang.analysis.emergency import read as read_emergency
from xinfang.deadlines.policies import Step, due_date, limit_for
from xinfang.letters import due_dates
from xinfang.letters.access import (
    MAX_RETURNS,
    bureau_id,
    concluded_predecessor,
    instruction_refusal,
    letters_visible_to,
    may_answer_for_unit,
    may_post_message,
    supervision_refusal,
)
from xinfang.letters.access import (
    accused_undecided as accused_undecided,  # re-exported: pages and tests ask services
)
from xinfang.letters.access import (
    accused_undecided_message as accused_undecided_message,
)
from xinfang.letters.lifecycle import Action, LifecycleError, apply, ensure_allowed, record_receipt
from xinfang.letters.models import (
    AnonymousCaller,
    AssignmentMode,
    Extension,
    Instruction,
    Letter,
    LetterEvent,
    LetterState,
    Message,
    Rating,
    RefusalReason,
    SupervisionOrder,
)
from xinfang.letters.signals import message_posted
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.selectors import bureau_above, bureau_of
from xinfang.orgs.services import department_for
from xinfang.routing.engine import intake_unit_for
from xinfang.text import clean_input
from xinfang.vocabulary import Channel, LetterType

S = LetterState
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
QUERY_CODE_LENGTH = 16  # 16 symbols of 31: about 79 bits


@dataclass(frozen=True)
class Submission:
    letter: Letter
    query_code: str  # shown to the writer once, stored only hashed


# ---------------------------------------------------------------- submission


def new_query_code() -> str:
    raw = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, QUERY_CODE_LENGTH, 4))


def hash_query_code(code: str, *, salt: str | None = None) -> str:
    """A salted SHA-256: the code has ~79 bits of entropy, so a slow hash adds nothing."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{normalise_query_code(code)}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def normalise_query_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def query_code_matches(letter: Letter, code: str) -> bool:
    _algo, salt, _digest = letter.query_code_hash.split("$")
    return hmac.compare_digest(letter.query_code_hash, hash_query_code(code, salt=salt))


def _tracking_number(mailbox: Mailbox, day: str) -> str:
    """``GD-20261123-483920``: mailbox and date only; the number is random, so it leaks no volume."""
    return f"{mailbox.tracking_prefix}-{day}-{secrets.randbelow(10**6):06d}"


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
) -> Submission:
    """Receive a letter: from a citizen (``actor`` is the citizen) or registered by a seat agent.

    A seat agent registers it for ``citizen`` or, where the mailbox allows anonymous telephone
    reports, for an anonymous caller (``anonymous_phone``). Returns the letter and its query code.

    Naming an officer (name, badge number or post) is an accusation: with no unit given, the
    bureau of the letter's place is the accused unit, so recusal applies from the first moment.
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
    day = timezone.localdate(now).strftime("%Y%m%d")
    with transaction.atomic():
        caller = AnonymousCaller.objects.create(phone=anonymous_phone) if anonymous_phone is not None else None
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
            anonymous_caller=caller,
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
        _save_with_unique_tracking_number(letter, mailbox, day)
        record_receipt(letter, actor=actor)
    return Submission(letter=letter, query_code=code)


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


def _save_with_unique_tracking_number(letter: Letter, mailbox: Mailbox, day: str) -> None:
    for _attempt in range(8):
        letter.tracking_number = _tracking_number(mailbox, day)
        try:
            with transaction.atomic():
                letter.save()
            return
        except IntegrityError:
            if not Letter.objects.filter(tracking_number=letter.tracking_number).exists():
                raise
    raise LifecycleError(_("今日该信箱编号已满，请稍后再试。"))


# ---------------------------------------------------------------- helpers


def _step(
    letter: Letter,
    action: Action,
    *,
    actor: User | None,
    to: str | None = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    citizen_visible: bool | None = None,
) -> LetterEvent:
    """Apply a transition with the due dates recomputed for the state it leads to."""
    from xinfang.letters.lifecycle import TRANSITIONS, _target

    transition = TRANSITIONS[action]
    target = _target(transition, to) if letter.state in transition.sources else to
    values = dict(changes or {})
    if target is not None or "extension_days" in values:
        values.update(due_dates.compute(letter, **values).as_changes(target or letter.state))
    return apply(
        letter, action, actor=actor, to=to, reason=reason, changes=values, data=data, citizen_visible=citizen_visible
    )


def _require_text(value: str, message: str) -> str:
    if not value or not value.strip():
        raise LifecycleError(message)
    return value.strip()


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- front desk


def letter_request_info(*, letter: Letter, actor: User, reason: str) -> Letter:
    reason = _require_text(reason, _("请说明需要补充的材料。"))
    with transaction.atomic():
        _step(letter, Action.REQUEST_INFO, actor=actor, reason=reason)
    return letter


def letter_supply_info(*, letter: Letter, actor: User, text: str) -> Letter:
    """The writer supplies what was asked; the 15-day acceptance clock restarts from now."""
    text = _require_text(text, _("请填写补充的内容。"))
    with transaction.atomic():
        _step(letter, Action.SUPPLY_INFO, actor=actor, reason=text, changes={"acceptance_clock_from": timezone.now()})
    return letter


def letter_accept(*, letter: Letter, actor: User) -> Letter:
    ensure_allowed(letter, Action.ACCEPT, actor=actor)
    with transaction.atomic():
        _step(letter, Action.ACCEPT, actor=actor, changes={"accepted_at": timezone.now()})
    return letter


def letter_refuse(*, letter: Letter, actor: User, reason: str, text: str = "") -> Letter:
    """Not accepted, with a reason code and the written notice (the standard text unless given)."""
    ensure_allowed(letter, Action.REFUSE, actor=actor)
    if reason not in RefusalReason.values:
        raise LifecycleError(_("请选择不予受理的理由。"))
    notice = text.strip() or str(RefusalReason(reason).label)
    concluded = concluded_predecessor(letter)
    if reason == RefusalReason.CONCLUDED and concluded is not None:
        notice = _("%(notice)s 此前的结论见信件 %(number)s。") % {"notice": notice, "number": concluded.tracking_number}
    if reason == RefusalReason.OTHER and not text.strip():
        raise LifecycleError(_("选择“其他原因”时须写明理由。"))
    with transaction.atomic():
        _step(
            letter,
            Action.REFUSE,
            actor=actor,
            reason=notice,
            changes={"refusal_reason": reason, "notice_text": notice, "finished_at": timezone.now()},
        )
    return letter


def letter_refer(*, letter: Letter, actor: User, organ: str, text: str) -> Letter:
    organ = _require_text(organ, _("请填写有权处理的机关。"))
    text = _require_text(text, _("请填写告知内容。"))
    with transaction.atomic():
        _step(
            letter,
            Action.REFER,
            actor=actor,
            reason=text,
            changes={"referred_to": organ, "notice_text": text, "finished_at": timezone.now()},
        )
    return letter


def letter_clear_emergency_flag(*, letter: Letter, actor: User) -> Letter:
    """An acceptor of the unit holding the letter says it is no emergency: the letter leaves the
    head of the queue. The words that raised the flag stay on the letter and on the timeline row."""
    ensure_allowed(letter, Action.CLEAR_EMERGENCY_FLAG, actor=actor)  # it must be flagged (access.GUARDS)
    with transaction.atomic():
        _step(
            letter,
            Action.CLEAR_EMERGENCY_FLAG,
            actor=actor,
            changes={"emergency_flag": False},
            data={"words": list(letter.emergency_words)},
        )
    return letter


def letter_redirect_emergency(*, letter: Letter, actor: User, note: str) -> Letter:
    note = _require_text(note, _("请记录转 110 的情况。"))
    with transaction.atomic():
        _step(letter, Action.REDIRECT_EMERGENCY, actor=actor, reason=note, changes={"finished_at": timezone.now()})
    return letter


def letter_assign(
    *,
    letter: Letter,
    actor: User,
    unit: Unit,
    mode: str = AssignmentMode.TRANSFER,
    reason: str = "",
) -> Letter:
    """Transfer (转办) or assign with a duty to report back (交办) to a unit under the holder.

    1. The routing proposal is computed and stored with the assignment, in both languages.
    2. Choosing another unit than proposed needs a reason.
    3. Recusal (回避) cannot be overridden: the routing proposal says which units it forbids.
    4. A complaint or report moves only once the front desk has decided whom it accuses
       (:func:`letter_set_accused`): routing then uses that decision.
    """
    from xinfang.routing.engine import explanation_record

    ensure_allowed(letter, Action.ASSIGN, actor=actor)
    if mode not in AssignmentMode.values:
        raise LifecycleError(_("请选择转办或交办。"))
    if unit.pk is None:  # a department routing planned (``department_or_plan``): it is needed now
        unit = department_for(unit.bureau, unit.police_type)
    holder = letter.handling_unit or letter.intake_unit
    holder_bureau = holder.bureau
    if not unit.is_active:
        raise LifecycleError(_("该单位已撤销，不能转办。"))
    if not unit.path.startswith(holder_bureau.path):
        raise LifecycleError(_("只能转办给本单位或下级单位。"))
    if letter.handling_unit_id == unit.pk:
        raise LifecycleError(_("信件已在该单位。"))
    proposal, explanation = explanation_record(letter)
    if not proposal.allows(unit):
        raise LifecycleError(_("依照回避规定，不能转给被反映单位或其下级单位办理。"))
    if unit.pk != proposal.unit.pk and not reason.strip():
        raise LifecycleError(_("所选单位与系统建议（%(unit)s）不同，请说明理由。") % {"unit": proposal.unit.name})
    chain = [*letter.sender_chain, bureau_id(holder)]
    with transaction.atomic():
        _step(
            letter,
            Action.ASSIGN,
            actor=actor,
            reason=reason,
            changes={
                "handling_unit": unit,
                "assigned_by_unit": holder_bureau,
                "assignment_mode": mode,
                "assigned_at": timezone.now(),
                "sender_chain": chain,
            },
            data={
                "unit": unit.code,
                "mode": mode,
                "proposed": proposal.unit.code,
                "followed_proposal": unit.pk == proposal.unit.pk,
                "explanation": explanation,
            },
        )
    return letter


# ---------------------------------------------------------------- suggestions accepted at the desk


def letter_apply_suggestions(*, letter: Letter, actor: User, division_code: str, police_type: str) -> Letter:
    """Fill a letter's blank place and police type with what the desk suggested and the acceptor accepted.

    Only blank fields are filled (what the writer or the seat gave is never overwritten); the
    timeline row records both values, and routing then proposes as for any letter with them.
    """
    from xinfang.routing.selectors import place_of

    ensure_allowed(letter, Action.APPLY_SUGGESTIONS, actor=actor)
    changes: dict[str, str] = {}
    if division_code and not letter.division_code:
        if place_of(division_code) is None:
            raise LifecycleError(_("建议的事发地不是已知的行政区划，请手工选择。"))
        changes["division_code"] = division_code
    if police_type and not letter.police_type:
        if police_type not in PoliceType.values:
            raise LifecycleError(_("建议的警种不存在。"))
        changes["police_type"] = police_type
    if not changes:
        raise LifecycleError(_("信件已有事发地和警种，没有可采纳的建议。"))
    with transaction.atomic():
        _step(letter, Action.APPLY_SUGGESTIONS, actor=actor, changes=changes, data=changes)
    return letter


# ---------------------------------------------------------------- the accused unit


def letter_set_accused(*, letter: Letter, actor: User, accused_unit: Unit | None, reason: str = "") -> Letter:
    """Decide, or correct, whom a complaint or report accuses (``None``: no police unit).

    1. The first decision is the front desk's (an acceptor of the unit holding the letter): it
       confirms the writer's answer, or corrects it with a reason. Later the holder's acceptors,
       handlers or leaders may correct it, always with a reason.
    2. Who and when are stored on the letter; the timeline row (and its audit row) says what changed.
    3. Recusal runs again at once: a holder or front desk now on the accused side loses the letter
       (:func:`_recuse_holder`), in the same transaction.
    """
    ensure_allowed(letter, Action.SET_ACCUSED, actor=actor)
    first = letter.accused_decided_at is None
    if accused_unit is not None and not accused_unit.is_active:
        raise LifecycleError(_("该单位已撤销，请选择现在的单位。"))
    before = letter.accused_unit
    unchanged = (before.pk if before else None) == (accused_unit.pk if accused_unit else None)
    if unchanged and not first:
        raise LifecycleError(_("被反映单位没有变化。"))
    reason = reason.strip()
    if not unchanged and not reason:
        raise LifecycleError(
            _("认定的被反映单位与信访人所填不同，请说明理由。") if first else _("更改被反映单位须说明理由。")
        )
    data = {"accused": accused_unit.code if accused_unit else "", "before": before.code if before else "",
            "first": first}  # fmt: skip
    with transaction.atomic():
        _step(
            letter,
            Action.SET_ACCUSED,
            actor=actor,
            reason=reason,
            changes={"accused_unit": accused_unit, "accused_decided_at": timezone.now(), "accused_decided_by": actor},
            data=data,
        )
        _recuse_holder(letter, actor=actor, reason=reason)
    return letter


def _recuse_holder(letter: Letter, *, actor: User, reason: str) -> None:
    """Recusal again, after the accused unit changed.

    If the unit holding the letter or its front desk is inside the new recusal subtree, the letter
    leaves it at once for the front desk of the unit above the accused bureau (as
    ``routing.engine.intake_unit_for`` chooses for a mailbox the accused owns), which routes it
    again. A draft reply written on the accused side goes with it no further.
    """
    from xinfang.orgs import recusal

    accused = letter.accused_unit
    holder = letter.handling_unit or letter.intake_unit
    if accused is None or not (recusal.recused(holder, accused) or recusal.recused(letter.intake_unit, accused)):
        return
    desk = recusal.recusal_exception(accused) or bureau_above(recusal.recusal_floor(accused), 1)
    if recusal.recused(desk, accused):
        raise LifecycleError(_("没有可以接收此信件的上一级单位，请联系系统管理员。"))
    stays = letter.state in (S.RECEIVED, S.INFO_REQUESTED)
    _step(
        letter,
        Action.RECUSAL_RETURN,
        actor=None,
        to=letter.state if stays else S.ACCEPTED,
        reason=reason,
        changes={
            "intake_unit": desk,
            "handling_unit": None,
            "assigned_by_unit": None,
            "assignment_mode": "",
            "assigned_at": None,
            "sender_chain": [],
            "reply_text": "",
        },
        data={"desk": desk.code, "left": holder.code, "by": actor.pk},
    )


def letter_return_misrouted(*, letter: Letter, actor: User, reason: str) -> Letter:
    """Return a letter that is not this unit's business, within 5 working days, with a reason.

    1. It goes back to the unit that sent it (its acceptors re-route it).
    2. The loop is bounded: on the second return the inspector of the sender — the common
       superior of both — gets an automatic supervision order, and no unit may return it again.
    """
    ensure_allowed(letter, Action.RETURN_MISROUTED, actor=actor)
    reason = _require_text(reason, _("请说明退回理由。"))
    chain = list(letter.sender_chain)
    sender = Unit.objects.get(pk=chain.pop())
    back_at_front_desk = not chain
    with transaction.atomic():
        _step(
            letter,
            Action.RETURN_MISROUTED,
            actor=actor,
            to=S.ACCEPTED if back_at_front_desk else S.ASSIGNED,
            reason=reason,
            changes={
                "handling_unit": None if back_at_front_desk else sender,
                "assigned_by_unit": Unit.objects.get(pk=chain[-1]) if chain else None,
                "assigned_at": None if back_at_front_desk else timezone.now(),
                "sender_chain": chain,
                "return_count": letter.return_count + 1,
            },
            data={"returned_to": sender.code},
        )
        if letter.return_count >= MAX_RETURNS:
            supervision_raise_automatic(
                letter=letter,
                at_unit=sender,
                text=_("该信件已被退回两次，请督察部门协调确定承办单位。"),
            )
    return letter


# ---------------------------------------------------------------- handling


def letter_start_handling(*, letter: Letter, actor: User) -> Letter:
    with transaction.atomic():
        _step(letter, Action.START_HANDLING, actor=actor)
    return letter


def letter_request_extension(*, letter: Letter, actor: User, days: int, reason: str) -> Extension:
    """Ask a leader for more time: once per letter, up to the policy's maximum (30 days by law)."""
    ensure_allowed(letter, Action.REQUEST_EXTENSION, actor=actor)
    reason = _require_text(reason, _("请说明延期理由。"))
    maximum = limit_for(Step.EXTENSION, mailbox=letter.mailbox, letter_type=letter.letter_type).days
    if not 1 <= days <= maximum:
        raise LifecycleError(_("延期天数须在 1 至 %(max)d 天之间。") % {"max": maximum})
    with transaction.atomic():
        _step(letter, Action.REQUEST_EXTENSION, actor=actor, reason=reason, data={"days": days})
        return Extension.objects.create(
            letter=letter, days=days, reason=reason, requested_by=actor, requested_at=timezone.now()
        )


def letter_decide_extension(*, letter: Letter, actor: User, approve: bool, note: str = "") -> Extension:
    """A leader approves (the reply date moves and the citizen is told why) or refuses."""
    ensure_allowed(letter, Action.DECIDE_EXTENSION, actor=actor)
    extension = letter.extensions.filter(status=Extension.Status.PENDING).first()
    if extension is None:  # the guard saw one; a decision in between is a race the update settles
        raise LifecycleError(_("没有待审批的延期申请。"))
    if not approve:
        note = _require_text(note, _("不批准延期时请说明理由。"))
    changes: dict[str, Any] = {"extension_days": extension.days} if approve else {}
    with transaction.atomic():
        _step(
            letter,
            Action.DECIDE_EXTENSION,
            actor=actor,
            reason=extension.reason if approve else note,
            changes=changes,
            data={"approved": approve, "days": extension.days},
            citizen_visible=approve,
        )
        updated = Extension.objects.filter(pk=extension.pk, status=Extension.Status.PENDING).update(
            status=Extension.Status.APPROVED if approve else Extension.Status.REFUSED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_note=note,
        )
        if updated != 1:  # the lifecycle's conditional update already serialises this; belt and braces
            raise LifecycleError(_("该延期申请已被处理。"))
    extension.refresh_from_db()
    return extension


def letter_report_back(*, letter: Letter, actor: User, text: str) -> Letter:
    """For an assigned (交办) letter: the handling unit reports its result to the assigning unit."""
    ensure_allowed(letter, Action.REPORT_BACK, actor=actor)
    text = _require_text(text, _("请填写办理结果。"))
    with transaction.atomic():
        _step(letter, Action.REPORT_BACK, actor=actor, reason=text)
    return letter


def letter_draft_reply(*, letter: Letter, actor: User, text: str) -> Letter:
    text = _require_text(text, _("答复内容不能为空。"))
    with transaction.atomic():
        _step(letter, Action.DRAFT_REPLY, actor=actor, changes={"reply_text": text})
    return letter


def letter_reject_reply(*, letter: Letter, actor: User, note: str) -> Letter:
    note = _require_text(note, _("请写明修改意见。"))
    with transaction.atomic():
        _step(letter, Action.REJECT_REPLY, actor=actor, reason=note)
    return letter


def superior_bureau(unit: Unit) -> Unit:
    """The bureau one level above ``unit``'s bureau (the Ministry is its own superior)."""
    return bureau_above(bureau_of(unit), 1)


def _reply_changes(letter: Letter) -> dict[str, Any]:
    replier = letter.handling_unit or letter.intake_unit
    return {"replied_at": timezone.now(), "review_unit": superior_bureau(replier)}


def letter_approve_reply(*, letter: Letter, actor: User, text: str | None = None) -> Letter:
    """A leader approves the draft (possibly edited) and it goes to the citizen."""
    changes = _reply_changes(letter)
    if text is not None:
        changes["reply_text"] = _require_text(text, _("答复内容不能为空。"))
    with transaction.atomic():
        _step(letter, Action.APPROVE_REPLY, actor=actor, reason=changes.get("reply_text", letter.reply_text),
              changes=changes)  # fmt: skip
    return letter


def letter_reply_directly(*, letter: Letter, actor: User, text: str) -> Letter:
    """The short path for inquiries, suggestions and praise: the front desk answers after accepting."""
    ensure_allowed(letter, Action.REPLY_DIRECTLY, actor=actor)
    text = _require_text(text, _("答复内容不能为空。"))
    with transaction.atomic():
        _step(letter, Action.REPLY_DIRECTLY, actor=actor, reason=text,
              changes={**_reply_changes(letter), "reply_text": text})  # fmt: skip
    return letter


# ---------------------------------------------------------------- citizen after the reply


def letter_evaluate(*, letter: Letter, actor: User, rating: str, comment: str = "") -> Letter:
    ensure_allowed(letter, Action.EVALUATE, actor=actor)
    if rating not in Rating.values:
        raise LifecycleError(_("请选择满意、基本满意或不满意。"))
    with transaction.atomic():
        _step(letter, Action.EVALUATE, actor=actor, reason=comment, changes={"rating": rating},
              data={"rating": rating})  # fmt: skip
    return letter


def letter_request_review(*, letter: Letter, actor: User, reason: str) -> Letter:
    """复查: within 30 days of the reply, to the superior of the unit that replied."""
    ensure_allowed(letter, Action.REQUEST_REVIEW, actor=actor)
    reason = _require_text(reason, _("请说明申请复查的理由。"))
    with transaction.atomic():
        _step(letter, Action.REQUEST_REVIEW, actor=actor, reason=reason,
              changes={"review_requested_at": timezone.now()})  # fmt: skip
    return letter


def letter_answer_review(*, letter: Letter, actor: User, text: str) -> Letter:
    ensure_allowed(letter, Action.ANSWER_REVIEW, actor=actor)
    text = _require_text(text, _("复查意见不能为空。"))
    reexam_unit = superior_bureau(letter.review_unit) if letter.review_unit is not None else None
    with transaction.atomic():
        _step(
            letter,
            Action.ANSWER_REVIEW,
            actor=actor,
            reason=text,
            changes={
                "review_answer": text,
                "review_answered_at": timezone.now(),
                "reexam_unit": reexam_unit,
            },
        )
    return letter


def letter_request_reexam(*, letter: Letter, actor: User, reason: str) -> Letter:
    """复核: within 30 days of the review answer, to the next superior."""
    ensure_allowed(letter, Action.REQUEST_REEXAM, actor=actor)
    reason = _require_text(reason, _("请说明申请复核的理由。"))
    with transaction.atomic():
        _step(letter, Action.REQUEST_REEXAM, actor=actor, reason=reason,
              changes={"reexam_requested_at": timezone.now()})  # fmt: skip
    return letter


def letter_answer_reexam(*, letter: Letter, actor: User, text: str) -> Letter:
    """The re-examination answer concludes the matter: the same request is not accepted again."""
    text = _require_text(text, _("复核意见不能为空。"))
    with transaction.atomic():
        _step(letter, Action.ANSWER_REEXAM, actor=actor, reason=text,
              changes={"reexam_answer": text, "finished_at": timezone.now()})  # fmt: skip
    return letter


def letter_link_repeat(*, letter: Letter, earlier: Letter, actor: User) -> Letter:
    """Link a repeat letter (same writer, same matter) to the earlier one: answered together, counted once."""
    ensure_allowed(letter, Action.LINK_REPEAT, actor=actor)
    if letter.pk == earlier.pk or letter.citizen_id is None or letter.citizen_id != earlier.citizen_id:
        raise LifecycleError(_("只能关联同一信访人的另一封信件。"))
    if earlier.repeat_of_id == letter.pk:
        raise LifecycleError(_("不能相互关联。"))
    if not letters_visible_to(actor).filter(pk=earlier.pk).exists():
        raise LifecycleError(_("只能关联同一信访人的另一封信件。"))
    with transaction.atomic():
        _step(
            letter,
            Action.LINK_REPEAT,
            actor=actor,
            changes={"repeat_of": earlier},
            data={"earlier": earlier.tracking_number},
        )
    return letter


# ---------------------------------------------------------------- instructions and supervision


def instruction_create(*, letter: Letter, actor: User, text: str, due: dt.date | None = None) -> Instruction:
    """A leader's instruction (批示) that lands on the handler's page."""
    refusal = instruction_refusal(actor, letter)
    if refusal:
        raise LifecycleError(refusal)
    text = _require_text(text, _("批示内容不能为空。"))
    with transaction.atomic():  # the record and what listens to it (notifications) commit together
        return Instruction.objects.create(letter=letter, leader=actor, text=text, due=due, created_at=timezone.now())


def instruction_respond(*, instruction: Instruction, actor: User, text: str) -> Instruction:
    if not may_answer_for_unit(actor, instruction.letter):
        raise LifecycleError(_("只有承办单位的承办人或领导可以回复批示。"))
    text = _require_text(text, _("请填写落实情况。"))
    updated = Instruction.objects.filter(pk=instruction.pk, responded_at__isnull=True).update(
        response=text, responded_by=actor, responded_at=timezone.now()
    )
    if updated != 1:
        raise LifecycleError(_("该批示已经回复。"))
    instruction.refresh_from_db()
    return instruction


def supervision_order_issue(*, letter: Letter, actor: User, text: str, due: dt.date | None) -> SupervisionOrder:
    """An inspector's supervision order (督办) on a letter held under their bureau."""
    refusal = supervision_refusal(actor, letter)
    if refusal or actor.unit is None:
        raise LifecycleError(refusal)
    text = _require_text(text, _("督办要求不能为空。"))
    if due is None or due < _today():
        raise LifecycleError(_("督办期限不能早于今天。"))
    with transaction.atomic():  # the record and what listens to it (notifications) commit together
        return SupervisionOrder.objects.create(
            letter=letter, issuing_unit=actor.unit, issued_by=actor, text=text, due=due, created_at=timezone.now()
        )


def supervision_order_respond(*, order: SupervisionOrder, actor: User, text: str) -> SupervisionOrder:
    if not may_answer_for_unit(actor, order.letter):
        raise LifecycleError(_("只有承办单位的承办人或领导可以回复督办。"))
    text = _require_text(text, _("请填写办理情况。"))
    updated = SupervisionOrder.objects.filter(pk=order.pk, responded_at__isnull=True).update(
        response=text, responded_by=actor, responded_at=timezone.now()
    )
    if updated != 1:
        raise LifecycleError(_("该督办已经回复。"))
    order.refresh_from_db()
    return order


def supervision_raise_automatic(*, letter: Letter, at_unit: Unit, text: str) -> SupervisionOrder | None:
    """An automatic supervision order for the inspection department of ``at_unit``'s bureau, due
    ``Step.SUPERVISION_ANSWER`` (5 working days by default) from today.

    At most one open automatic order per letter (a database constraint keeps it so under races).
    """
    inspection = department_for(at_unit.bureau, PoliceType.INSPECTION)
    due = due_date(Step.SUPERVISION_ANSWER, start=_today(), mailbox=letter.mailbox, letter_type=letter.letter_type).date
    try:
        with transaction.atomic():
            return SupervisionOrder.objects.create(
                letter=letter, issuing_unit=inspection, automatic=True, text=text, due=due, created_at=timezone.now()
            )
    except IntegrityError:
        return None


# ---------------------------------------------------------------- organisation changes and calendars


def letters_follow_merged_unit(*, mapping: Mapping[int, Unit], actor: User, reason: str) -> int:
    """Open letters held by merged units move to their counterparts, each with a timeline row."""
    moved = 0
    open_letters = Letter.objects.filter(state__in=S.open_states())
    for letter in open_letters.filter(handling_unit_id__in=list(mapping)).select_related("mailbox"):
        new_unit = mapping[letter.handling_unit_id]  # type: ignore[index]
        apply(letter, Action.FOLLOW_MERGED_UNIT, actor=None, reason=reason,
              changes={"handling_unit": new_unit}, data={"unit": new_unit.code, "by": actor.pk})  # fmt: skip
        moved += 1
    for field in ("intake_unit", "review_unit", "reexam_unit", "owing_unit"):
        for old_id, new_unit in mapping.items():
            open_letters.filter(**{f"{field}_id": old_id}).update(**{field: new_unit})
    return moved


def letters_recompute_provisional_due_dates(*, year: int) -> int:
    """After a year's holidays are loaded, recompute every provisional due date; returns how many changed."""
    changed = 0
    for letter in Letter.objects.filter(due_provisional=True).select_related("mailbox").iterator():
        values = due_dates.compute(letter).as_changes(letter.state)
        if any(getattr(letter, name) != value for name, value in values.items()):
            Letter.objects.filter(pk=letter.pk).update(**values)
            changed += 1
    return changed


# ---------------------------------------------------------------- messages


MESSAGE_MAX_LENGTH = 5000


def message_post(*, letter: Letter, actor: User, kind: str, text: str) -> Message:
    """Post a message on a letter: the citizen to the handler, the handler to the citizen, or an
    internal note that the citizen never sees. Messages do not change the letter's state."""
    if kind not in Message.Kind.values:
        raise ValueError(f"unknown message kind {kind!r}")
    text = _require_text(clean_input(text), _("留言内容不能为空。"))
    if len(text) > MESSAGE_MAX_LENGTH:
        raise LifecycleError(_("留言不能超过 %(max)s 字。") % {"max": MESSAGE_MAX_LENGTH})
    if not may_post_message(actor, letter, kind):
        raise LifecycleError(_("您不能在这封信上留言。"))
    with transaction.atomic():
        message = Message.objects.create(letter=letter, kind=kind, author=actor, text=text)
        message_posted.send(sender=Message, message=message)
    return message


def messages_mark_read(*, letter: Letter, actor: User) -> int:
    """Mark as read the messages addressed to ``actor``'s side of the conversation."""
    if actor.is_citizen:
        if letter.citizen_id != actor.pk:
            return 0
        incoming = Message.Kind.TO_CITIZEN
    else:
        if not letters_visible_to(actor).filter(pk=letter.pk).exists():
            return 0
        incoming = Message.Kind.FROM_CITIZEN
    return Message.objects.filter(letter=letter, kind=incoming, read_at__isnull=True).update(read_at=timezone.now())
