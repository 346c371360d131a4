"""The front desk: accept, refuse, refer, redirect to 110, assign, apply suggestions, decide the
accused unit, return misrouted letters."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.letters.access import (
    MAX_RETURNS,
    bureau_id,
    concluded_predecessor,
)
from xinfang.letters.lifecycle import Action, LifecycleError, ensure_allowed
from xinfang.letters.models import (
    AssignmentMode,
    Letter,
    RefusalReason,
)
from xinfang.letters.services._common import S, _require_text, _step
from xinfang.letters.services.oversight import supervision_raise_automatic
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import bureau_above
from xinfang.orgs.services import department_for


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
