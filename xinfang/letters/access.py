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

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from xinfang.accounts.models import Role, User
from xinfang.letters.models import Letter, LetterState, Message
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import bureaus_over_ids, in_units, unit_ids_under

if TYPE_CHECKING:
    from xinfang.letters.lifecycle import Transition


def bureau_id(unit: Unit) -> int:
    return unit.bureau_of_department_id or unit.pk


def same_bureau(user: User, unit: Unit | None) -> bool:
    return unit is not None and user.unit is not None and bureau_id(user.unit) == bureau_id(unit)


def is_recused(user: User, letter: Letter) -> bool:
    """True if ``user`` works in the accused unit or anywhere under its bureau."""
    if letter.accused_unit is None or user.unit is None:
        return False
    accused_bureau = letter.accused_unit.bureau
    return user.unit.path.startswith(accused_bureau.path)


def may_perform(actor: User | None, letter: Letter, transition: Transition) -> bool:
    from xinfang.letters.lifecycle import Performer

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
    one indexed column (:func:`owed_under`)."""
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
    return owed.exclude(accused_unit_id__in=bureaus_over_ids(user.unit))


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
        held = Q(handling_unit_id__in=ids) | Q(intake_unit_id__in=ids)
        reviewing = Q(review_unit_id__in=ids) | Q(reexam_unit_id__in=ids)
        letters = letters.filter(held | reviewing)
    return letters.exclude(accused_unit_id__in=bureaus_over_ids(user.unit))


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
