"""Who is told what: from a timeline event, a message or a record on a letter to notification plans.

- The writer hears of every step they can see on their timeline, except the ones they took.
- Staff hear of what is now theirs to do, in the unit that owes it: acceptors of the front desk
  for new letters, handlers (and acceptors, who may pass it further down) of the assigned unit,
  leaders for approvals, inspectors for automatic supervision. Staff recused from a letter
  (they work in the accused unit or under it) are never told about it, nor is the person who acted.
- An explanation request goes to the leaders of the accused bureau who may answer it, and is about
  the request alone: its plan carries no letter, so nothing of the letter can reach them. The answer
  goes back to the person who asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import pgettext_lazy

from xinfang.accounts.models import Role, User
from xinfang.letters.access import (
    EXPLANATION_ANSWERING_ROLES,
    bureau_id,
    is_recused,
    may_answer_explanation,
    owing_unit,
)
from xinfang.letters.lifecycle import TRANSITIONS, Action, owing_roles
from xinfang.letters.models import Extension, Instruction, Letter, LetterEvent, LetterState, Message, SupervisionOrder
from xinfang.notifications.models import Kind
from xinfang.orgs.models import Unit

if TYPE_CHECKING:
    from xinfang.explanations.models import ExplanationRequest

S = LetterState


@dataclass(frozen=True)
class Plan:
    kind: str
    writer: bool = False
    staff: tuple[User, ...] = ()
    values: dict[str, object] = field(default_factory=dict)


CITIZEN_KIND_BY_ACTION: dict[str, str] = {
    "receive": Kind.RECEIPT,
    Action.ACCEPT: Kind.ACCEPTED,
    Action.REFUSE: Kind.NOT_ACCEPTED,
    Action.REFER: Kind.REFERRED,
    Action.REDIRECT_EMERGENCY: Kind.EMERGENCY,
    Action.ASSIGN: Kind.TRANSFERRED,
    Action.REQUEST_INFO: Kind.INFO_REQUESTED,
    Action.DECIDE_EXTENSION: Kind.EXTENDED,
    Action.APPROVE_REPLY: Kind.REPLIED,
    Action.REPLY_DIRECTLY: Kind.REPLIED,
    Action.ANSWER_REVIEW: Kind.REVIEW_ANSWERED,
    Action.ANSWER_REEXAM: Kind.REEXAM_ANSWERED,
}


def staff_of(
    unit: Unit | None, roles: Iterable[str], letter: Letter, *, besides: int | None = None
) -> tuple[User, ...]:
    """Active staff holding one of ``roles`` in ``unit``; if it has none, in its whole bureau.

    A department (say, Tianhe's public-order department) may have no one with the role yet;
    the bureau's own staff then act for it, as the access policy lets them.
    """
    if unit is None:
        return ()
    holders = User.objects.filter(is_active=True, kind=User.Kind.STAFF, role_grants__role__in=list(roles))
    if besides is not None:
        holders = holders.exclude(pk=besides)
    holders = holders.select_related("unit").distinct().order_by("pk")
    people = list(holders.filter(unit=unit))
    if not people:
        bureau = unit.bureau
        people = list(holders.filter(Q(unit=bureau) | Q(unit__bureau_of_department=bureau)))
    return tuple(p for p in people if not is_recused(p, letter))


def _holder(letter: Letter) -> Unit:
    return letter.handling_unit or letter.intake_unit


def _step_label(event: LetterEvent) -> object:
    try:
        return TRANSITIONS[Action(event.action)].label
    except ValueError:  # "receive" is the letter's first row, not a transition
        return event.letter.get_state_display()


def _due(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else "—"


def plans_for_event(event: LetterEvent) -> list[Plan]:
    letter = event.letter
    plans: list[Plan] = []
    # The receipt always goes out (it carries the tracking number); other steps the writer took are not news to them.
    took_it = event.actor_id is not None and event.actor_id == letter.citizen_id and event.action != "receive"
    if event.citizen_visible and not took_it:
        plans.append(_writer_plan(event))
    staff_plan = _staff_plan(event)
    if staff_plan is not None and staff_plan.staff:
        plans.append(staff_plan)
    return plans


def _writer_plan(event: LetterEvent) -> Plan:
    letter = event.letter
    kind = CITIZEN_KIND_BY_ACTION.get(event.action, Kind.STEP)
    values: dict[str, object] = {
        "step": _step_label(event),
        "reason": event.reason,
        "due": _due(letter.current_due),
        "unit": letter.handling_unit.name if letter.handling_unit is not None else "",
        "organ": letter.referred_to,
        "days": event.data.get("days", ""),
    }
    if kind == Kind.EXTENDED:
        values["due"] = _due(letter.reply_due)
    elif kind == Kind.REPLIED:
        values["due"] = _due(letter.review_request_due)
    elif kind == Kind.REVIEW_ANSWERED:
        values["due"] = _due(letter.reexam_request_due)
    return Plan(kind, writer=True, values=values)


def _staff_plan(event: LetterEvent) -> Plan | None:
    letter = event.letter
    actor = event.actor_id
    values: dict[str, object] = {
        "reason": event.reason,
        "due": _due(letter.current_due),
        "days": event.data.get("days", ""),
    }
    action = event.action
    if action == "receive":
        return Plan(
            Kind.NEW_LETTER, staff=staff_of(letter.intake_unit, [Role.ACCEPTOR], letter, besides=actor), values=values
        )
    if action == Action.SUPPLY_INFO:
        return Plan(Kind.INFO_SUPPLIED, staff=staff_of(letter.intake_unit, [Role.ACCEPTOR], letter), values=values)
    if action == Action.ASSIGN:
        people = staff_of(letter.handling_unit, [Role.HANDLER, Role.ACCEPTOR], letter, besides=actor)
        return Plan(Kind.ASSIGNED, staff=people, values=values)
    if action == Action.RETURN_MISROUTED:
        return Plan(
            Kind.RETURNED, staff=staff_of(_holder(letter), [Role.ACCEPTOR], letter, besides=actor), values=values
        )
    if action == Action.DRAFT_REPLY:
        return Plan(Kind.APPROVE_REPLY, staff=staff_of(letter.handling_unit, [Role.LEADER], letter, besides=actor),
                    values={**values, "due": _due(letter.reply_due)})  # fmt: skip
    if action == Action.REJECT_REPLY:
        return Plan(Kind.REPLY_REJECTED, staff=staff_of(letter.handling_unit, [Role.HANDLER], letter, besides=actor),
                    values=values)  # fmt: skip
    if action == Action.DECIDE_EXTENSION:
        outcome = (
            pgettext_lazy("in a sentence", "已批准")
            if event.data.get("approved")
            else pgettext_lazy("in a sentence", "未批准")
        )
        people = staff_of(letter.handling_unit, [Role.HANDLER], letter, besides=actor)
        return Plan(Kind.EXTENSION_DECIDED, staff=people, values={**values, "outcome": outcome})
    if action == Action.REPORT_BACK:
        people = staff_of(letter.assigned_by_unit, [Role.ACCEPTOR, Role.LEADER], letter, besides=actor)
        return Plan(Kind.REPORTED_BACK, staff=people, values=values)
    if action == Action.REQUEST_REVIEW:
        people = staff_of(letter.review_unit, [Role.HANDLER, Role.LEADER], letter, besides=actor)
        return Plan(Kind.REVIEW_REQUESTED, staff=people, values=values)
    if action == Action.REQUEST_REEXAM:
        people = staff_of(letter.reexam_unit, [Role.HANDLER, Role.LEADER], letter, besides=actor)
        return Plan(Kind.REEXAM_REQUESTED, staff=people, values=values)
    if action in (Action.MARK_DUE_SOON, Action.MARK_OVERDUE):
        kind = Kind.DUE_SOON if action == Action.MARK_DUE_SOON else Kind.OVERDUE
        people = staff_of(owing_unit(letter), owing_roles(letter.state), letter)
        due = event.data.get("due") or _due(letter.current_due)
        return Plan(kind, staff=people, values={**values, "due": due, "step": letter.get_state_display()})
    return None


def plans_for_message(message: Message) -> list[Plan]:
    letter = message.letter
    if message.kind == Message.Kind.TO_CITIZEN:
        return [Plan(Kind.MESSAGE, writer=True, values={"reason": message.text})]
    if message.kind == Message.Kind.FROM_CITIZEN:
        if letter.handling_unit is not None:
            people = staff_of(letter.handling_unit, [Role.HANDLER], letter)
        else:
            people = staff_of(letter.intake_unit, [Role.ACCEPTOR], letter)
        return [Plan(Kind.CITIZEN_MESSAGE, staff=people)] if people else []
    return []


def plans_for_extension(extension: Extension) -> list[Plan]:
    letter = extension.letter
    people = staff_of(letter.handling_unit, [Role.LEADER], letter, besides=extension.requested_by_id)
    values = {"reason": extension.reason, "days": extension.days}
    return [Plan(Kind.APPROVE_EXTENSION, staff=people, values=values)] if people else []


def plans_for_instruction(instruction: Instruction) -> list[Plan]:
    letter = instruction.letter
    if letter.handling_unit is not None:
        people = staff_of(letter.handling_unit, [Role.HANDLER], letter, besides=instruction.leader_id)
    else:
        people = staff_of(letter.intake_unit, [Role.ACCEPTOR], letter, besides=instruction.leader_id)
    values: dict[str, object] = {"reason": instruction.text, "due": _due(instruction.due)}
    return [Plan(Kind.INSTRUCTION, staff=people, values=values)] if people else []


def plans_for_supervision(order: SupervisionOrder) -> list[Plan]:
    """The unit that owes the step must answer the order; for an automatic one, its inspectors follow it up."""
    letter = order.letter
    owing = owing_unit(letter)
    roles = (*owing_roles(letter.state), Role.LEADER)
    values: dict[str, object] = {"reason": order.text, "due": _due(order.due), "unit": order.issuing_unit.name}
    plans = []
    people = staff_of(owing, roles, letter, besides=order.issued_by_id)
    if people:
        plans.append(Plan(Kind.SUPERVISION, staff=people, values=values))
    if order.automatic:
        inspectors = staff_of(order.issuing_unit, [Role.INSPECTOR], letter)
        if inspectors:
            plans.append(Plan(Kind.SUPERVISION_RAISED, staff=inspectors, values={**values, "unit": owing.name}))
    return plans


def plans_for_explanation_request(request: ExplanationRequest) -> list[Plan]:
    """Every leader of the accused bureau who may answer; recusal does not apply, the request is theirs."""
    bureau = bureau_id(request.accused_bureau)
    candidates = (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, role_grants__role__in=EXPLANATION_ANSWERING_ROLES)
        .filter(Q(unit_id=bureau) | Q(unit__bureau_of_department_id=bureau))
        .select_related("unit")
        .distinct()
        .order_by("pk")
    )
    people = tuple(user for user in candidates if may_answer_explanation(user, request))
    values: dict[str, object] = {"unit": request.requesting_unit.name, "due": _due(request.due_on)}
    return [Plan(Kind.EXPLANATION_REQUESTED, staff=people, values=values)] if people else []


def plans_for_explanation_answer(request: ExplanationRequest) -> list[Plan]:
    asker = request.requested_by
    if not asker.is_active or is_recused(asker, request.letter):
        return []
    values: dict[str, object] = {"unit": request.accused_bureau.name, "due": _due(request.due_on)}
    return [Plan(Kind.EXPLANATION_ANSWERED, staff=(asker,), values=values)]
