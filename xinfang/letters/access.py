"""Who may act on a letter and who may see it: the one access policy for letters.

Rules (SPEC §6, STYLE habit 4):
- A unit's staff see the letters their bureau holds: as the front desk (intake), as the
  assigned unit, or as the review / re-examination unit; and, for follow-up supervision,
  every letter held anywhere under their bureau.
- Recusal (回避) overrides everything: staff of the accused unit, or of any unit under it,
  never see or act on the letter.
- Citizens see their own letters only.
Each lifecycle action names a performer (lifecycle.Performer); ``may_perform`` maps it to the
units and roles allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts.models import Role, User
from xinfang.letters.lifecycle import TRANSITIONS, Action, Performer
from xinfang.letters.models import AssignmentMode, Extension, Letter, LetterState, Message
from xinfang.orgs.models import Unit
from xinfang.orgs.recusal import accused_ids_recusing, recused
from xinfang.orgs.selectors import in_units, unit_ids_under
from xinfang.vocabulary import LetterType

if TYPE_CHECKING:
    from xinfang.letters.lifecycle import Transition

# Letter types that may be answered by the front desk right after acceptance.
SHORT_PATH_TYPES = frozenset({LetterType.INQUIRY, LetterType.SUGGESTION, LetterType.PRAISE})


def bureau_id(unit: Unit) -> int:
    return unit.bureau_of_department_id or unit.pk


def same_bureau(user: User, unit: Unit | None) -> bool:
    return unit is not None and user.unit is not None and bureau_id(user.unit) == bureau_id(unit)


def is_recused(user: User, letter: Letter) -> bool:
    """True if ``user`` works where recusal (``orgs.recusal``) keeps the letter away."""
    return user.unit is not None and recused(user.unit, letter.accused_unit)


def may_perform(actor: User | None, letter: Letter, transition: Transition) -> bool:
    performer = transition.performer
    if performer == Performer.SYSTEM:
        return actor is None
    if actor is None or not actor.is_active:
        return False
    if performer == Performer.CITIZEN:
        if actor.is_citizen:
            return letter.citizen_id == actor.pk
        return (
            actor.has_role(Role.SEAT_AGENT) and same_bureau(actor, letter.intake_unit) and not is_recused(actor, letter)
        )
    if actor.is_citizen or is_recused(actor, letter) or not (transition.roles & actor.role_set):
        return False
    unit_for = {
        Performer.INTAKE: letter.intake_unit,
        Performer.HOLDER: letter.handling_unit or letter.intake_unit,
        Performer.HANDLING: letter.handling_unit,
        Performer.HANDLING_LEADER: letter.handling_unit,
        Performer.REVIEW: letter.review_unit,
        Performer.REEXAM: letter.reexam_unit,
    }
    return same_bureau(actor, unit_for[Performer(performer)])


def may_post_message(actor: User, letter: Letter, kind: str) -> bool:
    """Citizens write to their own open letters; the unit holding a letter answers them; any
    staff who may see a letter may leave an internal note on it."""
    if not actor.is_active:
        return False
    if kind == Message.Kind.FROM_CITIZEN:
        return actor.is_citizen and letter.citizen_id == actor.pk and letter.state in LetterState.open_states()
    if actor.is_citizen or is_recused(actor, letter):
        return False
    if kind == Message.Kind.TO_CITIZEN:
        holder = letter.handling_unit or letter.intake_unit
        return (
            letter.citizen_id is not None
            and bool({Role.HANDLER, Role.ACCEPTOR} & actor.role_set)
            and same_bureau(actor, holder)
        )
    return letters_visible_to(actor).filter(pk=letter.pk).exists()


def _owing_field(letter: Letter) -> str:
    if letter.state == LetterState.REVIEW_REQUESTED and letter.review_unit_id is not None:
        return "review_unit"
    if letter.state == LetterState.REEXAM_REQUESTED and letter.reexam_unit_id is not None:
        return "reexam_unit"
    return "handling_unit" if letter.handling_unit_id is not None else "intake_unit"


def owing_unit(letter: Letter) -> Unit:
    """The unit that owes the authorities' next step: the reviewer or re-examiner, else the holder.

    ``lifecycle.apply`` stores it in ``Letter.owing_unit`` on every step, so that queries read
    one indexed column (:func:`letters_owed_under_visible_to`)."""
    unit: Unit = getattr(letter, _owing_field(letter))
    return unit


def owing_unit_id(letter: Letter) -> int:
    """:func:`owing_unit`'s id, without fetching the unit."""
    unit_id: int = getattr(letter, _owing_field(letter) + "_id")
    return unit_id


def letters_owed_under_visible_to(user: User) -> QuerySet[Letter]:
    """Letters whose next step is owed by the user's bureau or a unit under it, for follow-up supervision.

    The same letters as ``letters_visible_to(user)`` restricted to those owed under the bureau,
    in one range of the ``owing_unit`` index: the owing unit is one of the units visibility
    matches (holder, front desk, reviewer, re-examiner), so only recusal is applied on top."""
    if not user.is_active or user.is_citizen or user.unit is None:
        return Letter.objects.none()
    owed = Letter.objects.filter(in_units("owing_unit", unit_ids_under(user.unit.bureau)))
    return owed.exclude(accused_unit_id__any_of=accused_ids_recusing(user.unit))


def instruction_refusal(actor: User, letter: Letter) -> str:
    """Why ``actor`` may not give an instruction (批示) on ``letter`` ("" if they may): leaders who may see it."""
    if not actor.is_active or actor.is_citizen or not actor.has_role(Role.LEADER) or is_recused(actor, letter):
        return _("只有领导可以作出批示。")
    if not letters_visible_to(actor).filter(pk=letter.pk).exists():
        return _("只有领导可以作出批示。")
    return ""


def supervision_refusal(actor: User, letter: Letter) -> str:
    """Why ``actor`` may not issue a supervision order (督办) on ``letter`` ("" if they may).

    Inspectors supervise open letters held in their bureau or below; a finished letter has no
    step left to urge."""
    if not actor.is_active or not actor.has_role(Role.INSPECTOR) or actor.unit is None or is_recused(actor, letter):
        return _("只有督察人员可以督办。")
    holder = letter.handling_unit or letter.intake_unit
    if not holder.is_within(actor.unit.bureau):
        return _("只能督办本单位及下级单位的信件。")
    if not letter.is_open:
        return _("信件已办结，不能督办。")
    return ""


def may_answer_for_unit(actor: User, letter: Letter) -> bool:
    """Handlers and leaders of the unit that owes the next step answer instructions and supervision orders."""
    return (
        actor.is_active
        and not actor.is_citizen
        and bool({Role.HANDLER, Role.LEADER} & actor.role_set)
        and not is_recused(actor, letter)
        and same_bureau(actor, owing_unit(letter))
    )


# Roles whose work needs the writer's full identity, and the unit they must belong to.
REVEAL_ROLES_AT_INTAKE = frozenset({Role.SEAT_AGENT, Role.ACCEPTOR})
REVEAL_ROLES_AT_HOLDER = frozenset({Role.HANDLER, Role.LEADER})


def may_reveal_identity(actor: User, letter: Letter) -> bool:
    """The front desk (to contact the writer) and the unit handling the letter (to investigate
    and reply) may reveal who wrote it, with a stated reason; supervisors and others see it masked."""
    if not actor.is_active or actor.is_citizen or is_recused(actor, letter):
        return False
    roles = actor.role_set
    if roles & REVEAL_ROLES_AT_INTAKE and same_bureau(actor, letter.intake_unit):
        return True
    return bool(roles & REVEAL_ROLES_AT_HOLDER) and same_bureau(actor, letter.handling_unit)


def letters_visible_to(user: User) -> QuerySet[Letter]:
    """Every letter ``user`` may open (one query; recusal applied).

    Units are matched by id lists from the tree (``orgs.selectors``), so the planner uses the
    letter's unit indexes (docs/benchmarks.md)."""
    if not user.is_active:
        return Letter.objects.none()
    if user.is_citizen:
        return Letter.objects.filter(citizen=user)
    if user.unit is None:
        return Letter.objects.none()
    ids = unit_ids_under(user.unit.bureau)
    letters = Letter.objects.all()
    if ids is not None:
        held = Q(handling_unit_id__any_of=ids) | Q(intake_unit_id__any_of=ids)
        reviewing = Q(review_unit_id__any_of=ids) | Q(reexam_unit_id__any_of=ids)
        letters = letters.filter(held | reviewing)
    return letters.exclude(accused_unit_id__any_of=accused_ids_recusing(user.unit))


def caller_letters_visible_to(user: User) -> QuerySet[Letter]:
    """The letters by which a seat may recognise a caller: those it may see (``letters_visible_to``)
    that came in through a mailbox of its own bureau or of a unit under it.

    A caller is known to a seat only through these: whoever wrote only elsewhere (another
    province, a recused letter) is no caller at all to it, so a look-up by number never tells
    whether an account exists outside the seat's jurisdiction."""
    if user.is_citizen or user.unit is None:
        return Letter.objects.none()
    return letters_visible_to(user).filter(in_units("mailbox__owner", unit_ids_under(user.unit.bureau)))


def letter_for(user: User, public_id: str) -> Letter:
    """Fetch a letter the user may see, or 404 (never reveals that a hidden letter exists)."""
    try:
        return (
            letters_visible_to(user)
            .select_related("mailbox", "intake_unit", "handling_unit", "accused_unit", "citizen")
            .get(public_id=public_id)
        )
    except (Letter.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def letter_for_its_registrar(user: User, public_id: str) -> Letter:
    """A letter ``user`` may see (:func:`letter_for`), or one ``user`` registered as a telephone seat.

    Only for the caller's receipt (hashes, no identity, no text): a call accusing the seat's own bureau
    is hidden from it by recusal, yet the seat must still hand the caller the receipt. 404 otherwise.
    """
    if user.is_active and not user.is_citizen:
        registered = Letter.objects.filter(public_id=public_id, registered_by=user).select_related("mailbox").first()
        if registered is not None:
            return registered
    return letter_for(user, public_id)


# ---------------------------------------------------------------- what a person may do now
#
# Every condition that decides whether an action on a letter is available lives here or on the
# transition table: pages ask :func:`available_actions`, services ask :func:`transition_refusal`
# (through ``lifecycle.ensure_allowed``) or the refusal functions above, so the two cannot disagree.

MAX_RETURNS = 2  # a misrouted letter goes back at most twice; then the inspectors decide


def _today() -> dt.date:
    return timezone.localdate()


def _one_extension(letter: Letter, actor: User | None) -> str:
    if letter.extensions.exclude(status=Extension.Status.REFUSED).exists():
        return _("每封信件只能延期一次。")
    return ""


def _extension_pending(letter: Letter, actor: User | None) -> str:
    # ``all()``: a list that prefetched the extensions (the approvals inbox) asks no query per row.
    if not any(extension.status == Extension.Status.PENDING for extension in letter.extensions.all()):
        return _("没有待审批的延期申请。")
    return ""


def _assigned_with_report_back(letter: Letter, actor: User | None) -> str:
    return "" if letter.assignment_mode == AssignmentMode.ASSIGN else _("只有交办的信件需要报告办理结果。")


def _returnable(letter: Letter, actor: User | None) -> str:
    if not letter.sender_chain:
        return _("只有已转办的信件才能退回。")
    if letter.return_count >= MAX_RETURNS:
        return _("该信件已被退回两次，由督察部门协调确定承办单位，不能再次退回。")
    if letter.return_due is not None and _today() > letter.return_due:
        return _("退回期限（%(date)s）已过，请办理或报请上级协调。") % {"date": letter.return_due.isoformat()}
    return ""


def _short_path(letter: Letter, actor: User | None) -> str:
    if letter.letter_type in SHORT_PATH_TYPES:
        return ""
    return _("投诉、举报和求决类信件须转办办理，不能直接答复。")


def _accusing(letter: Letter, actor: User | None) -> str:
    from xinfang.vocabulary import ACCUSATION_TYPES

    if letter.letter_type not in ACCUSATION_TYPES:
        return _("只有投诉和举报可以认定被反映单位。")
    if letter.accused_decided_at is None and (actor is None or not actor.has_role(Role.ACCEPTOR)):
        return _("被反映单位须先由受理台认定。")
    return ""


def accused_undecided(letter: Letter) -> bool:
    """A complaint or report whose accused unit the front desk has not yet decided."""
    from xinfang.vocabulary import ACCUSATION_TYPES

    return letter.letter_type in ACCUSATION_TYPES and letter.accused_decided_at is None


def accused_undecided_message() -> str:
    return _("请先认定被反映单位（或认定不涉及公安机关），再转办或交办。")


def _accused_decided(letter: Letter, actor: User | None) -> str:
    return accused_undecided_message() if accused_undecided(letter) else ""


def concluded_predecessor(letter: Letter) -> Letter | None:
    """The concluded letter about the same matter that this one repeats, if any."""
    seen: set[int] = set()
    earlier = letter.repeat_of
    while earlier is not None and earlier.pk not in seen:
        if earlier.state == LetterState.CONCLUDED:
            return earlier
        seen.add(earlier.pk)
        earlier = earlier.repeat_of
    return None


def _not_a_concluded_matter(letter: Letter, actor: User | None) -> str:
    concluded = concluded_predecessor(letter)
    if concluded is None:
        return ""
    return _("同一事项已于复核后终结（信件 %(number)s），不再受理，请以“已经复核终结”为由不予受理。") % {
        "number": concluded.tracking_number
    }


def _evaluation_window(letter: Letter, actor: User | None) -> str:
    if letter.evaluation_due is not None and _today() > letter.evaluation_due:
        return _("评价期限已过。")
    return ""


def _review_window(letter: Letter, actor: User | None) -> str:
    due = letter.review_request_due
    return _("已超过申请复查的期限。") if due is None or _today() > due else ""


def _reexam_window(letter: Letter, actor: User | None) -> str:
    due = letter.reexam_request_due
    return _("已超过申请复核的期限。") if due is None or _today() > due else ""


def _flagged(letter: Letter, actor: User | None) -> str:
    return "" if letter.emergency_flag else _("这封信没有紧急情况提示。")


def _something_blank(letter: Letter, actor: User | None) -> str:
    if letter.division_code and letter.police_type:
        return _("信件已有事发地和警种，没有可采纳的建议。")
    return ""


# The conditions beyond the table's state, performer and roles, by action: each says why not, or "".
GUARDS: dict[Action, Callable[[Letter, User | None], str]] = {
    Action.ACCEPT: _not_a_concluded_matter,
    Action.ASSIGN: _accused_decided,
    Action.RETURN_MISROUTED: _returnable,
    Action.REQUEST_EXTENSION: _one_extension,
    Action.DECIDE_EXTENSION: _extension_pending,
    Action.REPORT_BACK: _assigned_with_report_back,
    Action.REPLY_DIRECTLY: _short_path,
    Action.SET_ACCUSED: _accusing,
    Action.EVALUATE: _evaluation_window,
    Action.REQUEST_REVIEW: _review_window,
    Action.REQUEST_REEXAM: _reexam_window,
    Action.CLEAR_EMERGENCY_FLAG: _flagged,
    Action.APPLY_SUGGESTIONS: _something_blank,
}


def transition_refusal(actor: User | None, letter: Letter, action: Action, *, guards: bool = True) -> str:
    """Why ``actor`` may not take ``action`` on ``letter`` now ("" if they may), in the user's language.

    In order: the letter's state, then who may act (performer, roles, recusal), then the
    action's own conditions (:data:`GUARDS`)."""
    transition = TRANSITIONS[action]
    if letter.state not in transition.sources:
        return _("信件当前状态为“%(state)s”，不能%(action)s。") % {
            "state": letter.get_state_display(),
            "action": transition.label,
        }
    if not may_perform(actor, letter, transition):
        return _("您无权对此信件执行“%(action)s”。") % {"action": transition.label}
    guard = GUARDS.get(action)
    return guard(letter, actor) if guards and guard is not None else ""


class Other(StrEnum):
    """Actions on a letter that are not steps of its lifecycle."""

    MESSAGE = "message"  # to the writer, from the unit holding the letter
    CITIZEN_MESSAGE = "citizen_message"  # from the writer
    NOTE = "note"  # an internal note
    INSTRUCT = "instruct"  # a leader's instruction
    SUPERVISE = "supervise"  # an inspector's supervision order
    ANSWER = "answer"  # answer an instruction or a supervision order for the unit that owes the step


def _message_refusal(kind: str) -> Callable[[User, Letter], str]:
    def refusal(actor: User, letter: Letter) -> str:
        return "" if may_post_message(actor, letter, kind) else _("您不能在这封信上留言。")

    return refusal


def _answer_refusal(actor: User, letter: Letter) -> str:
    return "" if may_answer_for_unit(actor, letter) else _("只有承办单位的承办人或领导可以回复批示或督办。")


OTHER_ACTIONS: dict[Other, tuple[Any, Callable[[User, Letter], str]]] = {
    Other.MESSAGE: (gettext_lazy("给信访人留言"), _message_refusal(Message.Kind.TO_CITIZEN)),
    Other.CITIZEN_MESSAGE: (gettext_lazy("留言"), _message_refusal(Message.Kind.FROM_CITIZEN)),
    Other.NOTE: (gettext_lazy("内部备注"), _message_refusal(Message.Kind.INTERNAL_NOTE)),
    Other.INSTRUCT: (gettext_lazy("作出批示"), instruction_refusal),
    Other.SUPERVISE: (gettext_lazy("下达督办"), supervision_refusal),
    Other.ANSWER: (gettext_lazy("回复批示或督办"), _answer_refusal),
}
OTHER_NAMES = frozenset(other.value for other in Other)
# Steps people take (the sweep's are not anyone's to offer); linking a repeat needs a second letter
# and is asked about with it (``letter_link_repeat``).
OFFERED_STEPS = tuple(
    action for action, t in TRANSITIONS.items() if t.performer != Performer.SYSTEM and action != Action.LINK_REPEAT
)


@dataclass(frozen=True)
class Availability:
    """One action as this person may (or may not) take it now."""

    name: str
    label: Any
    allowed: bool
    reason: str = ""  # why not, for the user; "" when allowed
    # The letter's state and the person's place and roles allow it (it is their turn), even if a
    # further condition (say, the one extension already used) does not.
    turn: bool = False


def action_refusal(user: User, letter: Letter, name: str) -> str:
    """Why ``user`` may not take the action ``name`` (an ``Action`` or ``Other`` value) now; "" if they may."""
    if name in OTHER_NAMES:
        return OTHER_ACTIONS[Other(name)][1](user, letter)
    return transition_refusal(user, letter, Action(name))


def available_actions(user: User, letter: Letter) -> dict[str, Availability]:
    """Everything ``user`` might do to ``letter``, each with whether they may now and, if not, why.

    Keys are ``Action`` values for lifecycle steps and ``Other`` values for the rest. Pages,
    the portal and the generated test (tests/letters/test_available_actions.py) ask this; the
    services refuse exactly what it does not offer."""
    result: dict[str, Availability] = {}
    for action in OFFERED_STEPS:
        reason = transition_refusal(user, letter, action, guards=False)
        turn = not reason
        if turn:
            reason = transition_refusal(user, letter, action)
        result[action.value] = Availability(action.value, TRANSITIONS[action].label, not reason, reason, turn)
    for other, (label, refusal) in OTHER_ACTIONS.items():
        reason = refusal(user, letter)
        result[other.value] = Availability(other.value, label, not reason, reason, not reason)
    return result


# Explanation requests (情况说明)
#
# The unit handling a letter may ask the accused unit for its account; the accused side gets a
# redacted extract (``xinfang.explanations``), never the letter. Handlers and leaders of the unit
# that owes the letter's next step ask; only the leaders of the accused bureau read and answer:
# the account is the unit's official word, and keeping the circle small keeps the extract away
# from the officer complained about. ``explanations`` builds on ``letters``, so its model is
# imported inside the functions that return it.

if TYPE_CHECKING:
    from xinfang.explanations.models import ExplanationRequest

EXPLANATION_ASKING_ROLES = frozenset({Role.HANDLER, Role.LEADER})
EXPLANATION_ANSWERING_ROLES = frozenset({Role.LEADER})


def may_request_explanation(actor: User, letter: Letter) -> bool:
    """Handlers and leaders of the unit owing the next step, on an open letter that names an accused unit."""
    return (
        actor.is_active
        and not actor.is_citizen
        and letter.accused_unit_id is not None
        and letter.is_open
        and bool(EXPLANATION_ASKING_ROLES & actor.role_set)
        and not is_recused(actor, letter)
        and same_bureau(actor, owing_unit(letter))
    )


def may_withdraw_explanation(actor: User, request: ExplanationRequest) -> bool:
    """Handlers and leaders of the unit that asked."""
    return (
        actor.is_active
        and not actor.is_citizen
        and bool(EXPLANATION_ASKING_ROLES & actor.role_set)
        and not is_recused(actor, request.letter)
        and same_bureau(actor, request.requesting_unit)
    )


def answers_explanations(actor: User) -> bool:
    """Whether ``actor`` holds the role that reads and answers explanation requests at all."""
    return (
        actor.is_active
        and not actor.is_citizen
        and actor.unit is not None
        and bool(EXPLANATION_ANSWERING_ROLES & actor.role_set)
    )


def may_answer_explanation(actor: User, request: ExplanationRequest) -> bool:
    return answers_explanations(actor) and same_bureau(actor, request.accused_bureau)


def explanation_requests_for(actor: User) -> QuerySet[ExplanationRequest]:
    """The requests addressed to the actor's bureau that the accused side may open (not withdrawn ones)."""
    from xinfang.explanations.models import ExplanationRequest

    if not answers_explanations(actor) or actor.unit is None:
        return ExplanationRequest.objects.none()
    return ExplanationRequest.objects.filter(accused_bureau_id=bureau_id(actor.unit)).exclude(
        status=ExplanationRequest.Status.WITHDRAWN
    )


def explanation_request_for(actor: User, public_id: str) -> ExplanationRequest:
    """Fetch a request addressed to the actor's bureau, or 404."""
    from xinfang.explanations.models import ExplanationRequest

    try:
        asked = explanation_requests_for(actor).select_related("requesting_unit", "responded_by")
        return asked.get(public_id=public_id)
    except (ExplanationRequest.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def explanation_request_on_letter_for(actor: User, public_id: str) -> ExplanationRequest:
    """Fetch a request on a letter the actor may open (the asking side), or 404."""
    from xinfang.explanations.models import ExplanationRequest

    try:
        return ExplanationRequest.objects.select_related("letter", "requesting_unit").get(
            public_id=public_id, letter__in=letters_visible_to(actor)
        )
    except (ExplanationRequest.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
