"""The lifecycle of a letter: the table of allowed transitions and the one function that applies them.

Every change to a letter's state — and every action that must be serialised with state changes,
such as an extension request — goes through :func:`apply`. It

1. looks the action up in :data:`TRANSITIONS` (anything else is refused),
2. asks :mod:`xinfang.letters.access` whether the actor may perform it on this letter,
3. updates the letter with a conditional ``UPDATE … WHERE state = <from> AND version = <seen>``
   so that of two staff acting at once exactly one wins and the other gets :class:`Conflict`,
4. writes exactly one :class:`~xinfang.letters.models.LetterEvent` row in the same transaction.

Services in ``services.py`` compute the new due dates and call ``apply``; nothing else writes
``Letter.state``. ``docs/lifecycle.md`` is generated from this table (``manage.py lifecycle_doc``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from xinfang.accounts.models import Role, User
from xinfang.errors import Refused
from xinfang.letters.models import Attachment, Letter, LetterEvent, LetterState
from xinfang.letters.signals import letter_event_recorded

S = LetterState


class Performer(StrEnum):
    """Whose turn it is: access.py maps each to the units and roles that may act."""

    INTAKE = "intake"  # front desk of the mailbox's unit
    HOLDER = "holder"  # acceptors of the unit now holding the letter (intake, or the assigned unit)
    HANDLING = "handling"  # handlers of the assigned unit
    HANDLING_LEADER = "handling_leader"  # leaders of the assigned unit
    REVIEW = "review"  # the superior unit answering a review (复查)
    REEXAM = "reexam"  # the next superior answering a re-examination (复核)
    CITIZEN = "citizen"  # the writer, or a seat agent of the intake unit on a caller's behalf
    SYSTEM = "system"  # the deadline sweep


class Action(StrEnum):
    REQUEST_INFO = "request_info"
    SUPPLY_INFO = "supply_info"
    ACCEPT = "accept"
    REFUSE = "refuse"
    REFER = "refer"
    REDIRECT_EMERGENCY = "redirect_emergency"
    ASSIGN = "assign"
    RETURN_MISROUTED = "return_misrouted"
    START_HANDLING = "start_handling"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    REPORT_BACK = "report_back"
    DRAFT_REPLY = "draft_reply"
    REJECT_REPLY = "reject_reply"
    APPROVE_REPLY = "approve_reply"
    REPLY_DIRECTLY = "reply_directly"
    EVALUATE = "evaluate"
    REQUEST_REVIEW = "request_review"
    ANSWER_REVIEW = "answer_review"
    REQUEST_REEXAM = "request_reexam"
    ANSWER_REEXAM = "answer_reexam"
    CLOSE_UNEVALUATED = "close_unevaluated"
    CLOSE_WINDOW_PASSED = "close_window_passed"
    MARK_DUE_SOON = "mark_due_soon"
    MARK_OVERDUE = "mark_overdue"
    LINK_REPEAT = "link_repeat"
    FOLLOW_MERGED_UNIT = "follow_merged_unit"
    SET_ACCUSED = "set_accused"
    RECUSAL_RETURN = "recusal_return"
    CLEAR_EMERGENCY_FLAG = "clear_emergency_flag"
    APPLY_SUGGESTIONS = "apply_suggestions"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    targets: frozenset[str]  # empty: the state stays (the action is still serialised and recorded)
    performer: Performer
    roles: frozenset[str]
    citizen_visible: bool
    label: Any = field(compare=False)
    # System marks (due soon, overdue) do not bump the version: they change nothing a person is
    # editing, so staff with the letter open must not get a conflict because the sweep ran.
    bumps_version: bool = True


def _t(
    action: Action,
    sources: Iterable[str],
    target: str | set[str] | None,
    performer: Performer,
    roles: Iterable[str],
    citizen_visible: bool,
    label: Any,
    *,
    bumps_version: bool = True,
) -> Transition:
    targets = frozenset() if target is None else frozenset({target} if isinstance(target, str) else target)
    return Transition(
        action, frozenset(sources), targets, performer, frozenset(roles), citizen_visible, label, bumps_version
    )


OPEN_HANDLING = {S.ASSIGNED, S.IN_HANDLING, S.REPLY_DRAFTED}
# Until the reply, the accused unit may be decided or corrected (services.letter_set_accused).
BEFORE_REPLY = {S.RECEIVED, S.INFO_REQUESTED, S.ACCEPTED, *OPEN_HANDLING}
HANDLING_ROLES = {Role.HANDLER, Role.ACCEPTOR}

TRANSITIONS: Mapping[Action, Transition] = {
    t.action: t
    for t in [
        _t(Action.REQUEST_INFO, {S.RECEIVED}, S.INFO_REQUESTED, Performer.INTAKE, {Role.ACCEPTOR}, True,
           pgettext_lazy("action", "要求补充材料")),
        _t(Action.SUPPLY_INFO, {S.INFO_REQUESTED}, S.RECEIVED, Performer.CITIZEN, set(), True,
           pgettext_lazy("action", "补充材料")),
        _t(Action.ACCEPT, {S.RECEIVED}, S.ACCEPTED, Performer.INTAKE, {Role.ACCEPTOR}, True,
           pgettext_lazy("action", "受理")),
        _t(Action.REFUSE, {S.RECEIVED}, S.NOT_ACCEPTED, Performer.INTAKE, {Role.ACCEPTOR}, True,
           pgettext_lazy("action", "不予受理")),
        _t(Action.REFER, {S.RECEIVED}, S.REFERRED, Performer.INTAKE, {Role.ACCEPTOR}, True,
           pgettext_lazy("action", "告知向有权机关提出")),
        _t(Action.REDIRECT_EMERGENCY, {S.RECEIVED}, S.EMERGENCY_REDIRECTED, Performer.INTAKE,
           {Role.ACCEPTOR, Role.SEAT_AGENT}, True, pgettext_lazy("action", "转 110 紧急处置")),
        _t(Action.ASSIGN, {S.ACCEPTED, S.ASSIGNED}, S.ASSIGNED, Performer.HOLDER, {Role.ACCEPTOR}, True,
           pgettext_lazy("action", "转办或交办")),
        _t(Action.RETURN_MISROUTED, {S.ASSIGNED}, {S.ACCEPTED, S.ASSIGNED}, Performer.HANDLING, HANDLING_ROLES, False,
           pgettext_lazy("action", "退回（非本单位职责）")),
        _t(Action.START_HANDLING, {S.ASSIGNED}, S.IN_HANDLING, Performer.HANDLING, {Role.HANDLER}, True,
           pgettext_lazy("action", "开始办理")),
        _t(Action.REQUEST_EXTENSION, {S.IN_HANDLING}, None, Performer.HANDLING, {Role.HANDLER}, False,
           pgettext_lazy("action", "申请延期")),
        _t(Action.DECIDE_EXTENSION, OPEN_HANDLING, None, Performer.HANDLING_LEADER, {Role.LEADER}, True,
           pgettext_lazy("action", "审批延期")),
        _t(Action.REPORT_BACK, {S.IN_HANDLING, S.REPLY_DRAFTED, S.REPLIED}, None, Performer.HANDLING,
           {Role.HANDLER}, False, pgettext_lazy("action", "报告办理结果")),
        _t(Action.DRAFT_REPLY, {S.IN_HANDLING}, S.REPLY_DRAFTED, Performer.HANDLING, {Role.HANDLER}, False,
           pgettext_lazy("action", "拟写答复")),
        _t(Action.REJECT_REPLY, {S.REPLY_DRAFTED}, S.IN_HANDLING, Performer.HANDLING_LEADER, {Role.LEADER}, False,
           pgettext_lazy("action", "退回答复稿")),
        _t(Action.APPROVE_REPLY, {S.REPLY_DRAFTED}, S.REPLIED, Performer.HANDLING_LEADER, {Role.LEADER}, True,
           pgettext_lazy("action", "审批并答复")),
        _t(Action.REPLY_DIRECTLY, {S.ACCEPTED}, S.REPLIED, Performer.INTAKE, {Role.ACCEPTOR}, True,
           pgettext_lazy("action", "直接答复")),
        _t(Action.EVALUATE, {S.REPLIED}, S.EVALUATED, Performer.CITIZEN, set(), True,
           pgettext_lazy("action", "评价")),
        _t(Action.REQUEST_REVIEW, {S.REPLIED, S.EVALUATED}, S.REVIEW_REQUESTED, Performer.CITIZEN, set(), True,
           pgettext_lazy("action", "申请复查")),
        _t(Action.ANSWER_REVIEW, {S.REVIEW_REQUESTED}, S.REVIEW_ANSWERED, Performer.REVIEW,
           {Role.HANDLER, Role.LEADER}, True, pgettext_lazy("action", "复查答复")),
        _t(Action.REQUEST_REEXAM, {S.REVIEW_ANSWERED}, S.REEXAM_REQUESTED, Performer.CITIZEN, set(), True,
           pgettext_lazy("action", "申请复核")),
        _t(Action.ANSWER_REEXAM, {S.REEXAM_REQUESTED}, S.CONCLUDED, Performer.REEXAM, {Role.HANDLER, Role.LEADER},
           True, pgettext_lazy("action", "复核答复（终结）")),
        _t(Action.CLOSE_UNEVALUATED, {S.REPLIED}, S.CLOSED, Performer.SYSTEM, set(), True,
           pgettext_lazy("action", "评价期满未评价，办结")),
        _t(Action.CLOSE_WINDOW_PASSED, {S.EVALUATED, S.REVIEW_ANSWERED}, S.CLOSED, Performer.SYSTEM, set(), True,
           pgettext_lazy("action", "申请期满，办结")),
        _t(Action.MARK_DUE_SOON, LetterState.authority_clock_states(), None, Performer.SYSTEM, set(), False,
           pgettext_lazy("action", "临近期限提醒"), bumps_version=False),
        _t(Action.MARK_OVERDUE, LetterState.authority_clock_states(), None, Performer.SYSTEM, set(), False,
           pgettext_lazy("action", "逾期并自动督办"), bumps_version=False),
        _t(Action.LINK_REPEAT, LetterState.open_states(), None, Performer.HOLDER, {Role.ACCEPTOR}, False,
           pgettext_lazy("action", "关联重复信件")),
        _t(Action.FOLLOW_MERGED_UNIT, set(LetterState.open_states()), None, Performer.SYSTEM, set(), False,
           pgettext_lazy("action", "单位合并，随之移交")),
        _t(Action.SET_ACCUSED, BEFORE_REPLY, None, Performer.HOLDER, {Role.ACCEPTOR, Role.HANDLER, Role.LEADER},
           False, pgettext_lazy("action", "认定被反映单位")),
        _t(Action.RECUSAL_RETURN, BEFORE_REPLY, {S.RECEIVED, S.INFO_REQUESTED, S.ACCEPTED}, Performer.SYSTEM, set(),
           False, pgettext_lazy("action", "回避：移交被反映单位的上一级受理")),
        _t(Action.CLEAR_EMERGENCY_FLAG, {S.RECEIVED, S.INFO_REQUESTED, S.ACCEPTED}, None, Performer.HOLDER,
           {Role.ACCEPTOR}, False, pgettext_lazy("action", "解除紧急情况提示")),
        _t(Action.APPLY_SUGGESTIONS, {S.RECEIVED, S.ACCEPTED}, None, Performer.HOLDER, {Role.ACCEPTOR}, False,
           pgettext_lazy("action", "采纳系统建议的事发地、警种")),
    ]
}  # fmt: skip

RECEIVE = "receive"  # the action of a letter's first timeline row (:func:`record_receipt`)

# What a letter's timeline calls each recorded action: the name of what happened, where the
# table's label is the name of the step to take ("不予受理" on a button reads "Refuse"; in the
# timeline, "Not accepted"). The context keeps these apart from the same Chinese words elsewhere.
EVENT_LABELS: Mapping[str, Any] = {
    RECEIVE: pgettext_lazy("timeline", "收到信件"),
    Action.REQUEST_INFO: pgettext_lazy("timeline", "要求补充材料"),
    Action.SUPPLY_INFO: pgettext_lazy("timeline", "补充材料"),
    Action.ACCEPT: pgettext_lazy("timeline", "受理"),
    Action.REFUSE: pgettext_lazy("timeline", "不予受理"),
    Action.REFER: pgettext_lazy("timeline", "告知向有权机关提出"),
    Action.REDIRECT_EMERGENCY: pgettext_lazy("timeline", "转 110 紧急处置"),
    Action.ASSIGN: pgettext_lazy("timeline", "转办或交办"),
    Action.RETURN_MISROUTED: pgettext_lazy("timeline", "退回（非本单位职责）"),
    Action.START_HANDLING: pgettext_lazy("timeline", "开始办理"),
    Action.REQUEST_EXTENSION: pgettext_lazy("timeline", "申请延期"),
    Action.DECIDE_EXTENSION: pgettext_lazy("timeline", "审批延期"),
    Action.REPORT_BACK: pgettext_lazy("timeline", "报告办理结果"),
    Action.DRAFT_REPLY: pgettext_lazy("timeline", "拟写答复"),
    Action.REJECT_REPLY: pgettext_lazy("timeline", "退回答复稿"),
    Action.APPROVE_REPLY: pgettext_lazy("timeline", "审批并答复"),
    Action.REPLY_DIRECTLY: pgettext_lazy("timeline", "直接答复"),
    Action.EVALUATE: pgettext_lazy("timeline", "评价"),
    Action.REQUEST_REVIEW: pgettext_lazy("timeline", "申请复查"),
    Action.ANSWER_REVIEW: pgettext_lazy("timeline", "复查答复"),
    Action.REQUEST_REEXAM: pgettext_lazy("timeline", "申请复核"),
    Action.ANSWER_REEXAM: pgettext_lazy("timeline", "复核答复（终结）"),
    Action.CLOSE_UNEVALUATED: pgettext_lazy("timeline", "评价期满未评价，办结"),
    Action.CLOSE_WINDOW_PASSED: pgettext_lazy("timeline", "申请期满，办结"),
    Action.MARK_DUE_SOON: pgettext_lazy("timeline", "临近期限提醒"),
    Action.MARK_OVERDUE: pgettext_lazy("timeline", "逾期并自动督办"),
    Action.LINK_REPEAT: pgettext_lazy("timeline", "关联重复信件"),
    Action.FOLLOW_MERGED_UNIT: pgettext_lazy("timeline", "单位合并，随之移交"),
    Action.SET_ACCUSED: pgettext_lazy("timeline", "认定被反映单位"),
    Action.RECUSAL_RETURN: pgettext_lazy("timeline", "回避：移交被反映单位的上一级受理"),
    Action.CLEAR_EMERGENCY_FLAG: pgettext_lazy("timeline", "解除紧急情况提示"),
    Action.APPLY_SUGGESTIONS: pgettext_lazy("timeline", "采纳系统建议的事发地、警种"),
}


def event_label(action: str) -> str:
    """The timeline's name for a recorded ``action`` (an action no longer in the table shows as recorded)."""
    return str(EVENT_LABELS.get(action, action))


class LifecycleError(Refused):
    """An action that the table or the access policy does not allow; the message is for the user."""


class Conflict(LifecycleError):
    """Someone else changed the letter first; the user should reload and look again."""


def apply(
    letter: Letter,
    action: Action,
    *,
    actor: User | None,
    to: str | None = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    citizen_visible: bool | None = None,
    guard: Q | None = None,
) -> LetterEvent:
    """Apply ``action`` to ``letter`` as ``actor`` and record it.

    ``to`` picks the target where the table allows more than one (a misrouted letter returns to
    the front desk, ACCEPTED, or to an intermediate unit, ASSIGNED). ``changes`` are further
    fields written in the same conditional update (due dates, the handling unit …). On success
    ``letter`` is updated in memory. Must run inside ``transaction.atomic`` (services do);
    raises :class:`LifecycleError` or :class:`Conflict`. ``guard`` adds a condition to the
    update: the sweep's marks, which leave the version alone, use it so that two sweeps at once
    cannot both mark the same due date.
    """
    transition = ensure_allowed(letter, action, actor=actor)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lifecycle.apply must run inside transaction.atomic")
    target = _target(transition, to)
    values: dict[str, Any] = dict(changes or {})
    if target is not None:
        values["state"] = target
    values["owing_unit_id"] = _owing_unit_after(letter, values)
    now = timezone.now()
    bump = 1 if transition.bumps_version else 0
    current = Letter.objects.filter(pk=letter.pk, state=letter.state, version=letter.version)
    if guard is not None:
        current = current.filter(guard)
    updated = current.update(version=F("version") + bump, updated_at=now, **values)
    if updated != 1:
        raise Conflict(_("这封信刚刚被其他人处理过，请刷新后查看最新情况再操作。"))
    event = LetterEvent.objects.create(
        letter=letter,
        action=action.value,
        from_state=letter.state,
        to_state=target or letter.state,
        actor=actor,
        at=now,
        reason=reason,
        citizen_visible=transition.citizen_visible if citizen_visible is None else citizen_visible,
        data=dict(data or {}),
    )
    letter_event_recorded.send(sender=LetterEvent, event=event)
    for name, value in values.items():
        setattr(letter, name, value)
    letter.version += bump
    letter.updated_at = now
    return event


def _owing_unit_after(letter: Letter, values: Mapping[str, Any]) -> int:
    """The unit that will owe the next step once ``values`` are written (``access.owing_unit``)."""
    from xinfang.letters.access import owing_unit_id

    after = copy.copy(letter)  # Django copies the instance's related-object cache too
    for name, value in values.items():
        setattr(after, name, value)
    return owing_unit_id(after)


def ensure_allowed(letter: Letter, action: Action, *, actor: User | None) -> Transition:
    """Refuse ``action`` unless the table allows it from the letter's state, the actor may do it,
    and the action's own conditions hold (``access.transition_refusal``, which pages ask too).

    Services call this before their own checks, so that someone who may not act is told so,
    and not, say, that a deadline has passed.
    """
    from xinfang.letters.access import transition_refusal

    refusal = transition_refusal(actor, letter, action)
    if refusal:
        raise LifecycleError(refusal)
    return TRANSITIONS[action]


def owing_roles(state: str) -> frozenset[str]:
    """The roles that owe the next step in ``state``: those of the staff steps that move the letter on.

    Due-soon and overdue warnings and supervision orders go to them (``notifications.recipients``).
    The emergency redirect is left out: it is not the step the clock waits for."""
    roles: set[str] = set()
    for transition in TRANSITIONS.values():
        moves_on = transition.targets and transition.action != Action.REDIRECT_EMERGENCY
        staff = transition.performer not in (Performer.SYSTEM, Performer.CITIZEN)
        if state in transition.sources and moves_on and staff:
            roles |= transition.roles
    return frozenset(roles or {Role.HANDLER})


def _target(transition: Transition, to: str | None) -> str | None:
    if not transition.targets:
        if to is not None:
            raise ValueError(f"{transition.action} does not change the state")
        return None
    if to is None:
        if len(transition.targets) != 1:
            raise ValueError(f"{transition.action} needs an explicit target")
        return next(iter(transition.targets))
    if to not in transition.targets:
        raise ValueError(f"{transition.action} cannot lead to {to}")
    return to


def record_receipt(letter: Letter, *, actor: User | None, attachments: Sequence[Attachment] = ()) -> LetterEvent:
    """The first timeline row of a new letter (its creation is not a transition of an existing row).

    Recorded once the letter and the files sent with it (``attachments``) are stored, in the same
    transaction: the signal hands them on, so that the log's receipt entry covers the files
    without reading them back."""
    event = LetterEvent.objects.create(
        letter=letter,
        action=RECEIVE,
        from_state="",
        to_state=letter.state,
        actor=actor,
        at=letter.received_at,
        citizen_visible=True,
    )
    letter_event_recorded.send(sender=LetterEvent, event=event, attachments=list(attachments))
    return event
