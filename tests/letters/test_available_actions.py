"""``available_actions`` and the services agree, for every actor of the cast and every reachable state.

A generated matrix: each scene drives a letter to one state through the real services (and some
scenes then move the clock past the citizen's request windows); for each actor of the cast, every
action ``letters.access.available_actions`` knows is performed through its service with valid
input, each attempt in its own savepoint, rolled back. An action offered must succeed; an action
not offered must be refused by the service (``LifecycleError``) — never silently done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.access import OFFERED_STEPS, Other, available_actions
from xinfang.letters.lifecycle import TRANSITIONS, Action, LifecycleError, Performer
from xinfang.letters.models import AssignmentMode, Instruction, Letter, Message, Rating, RefusalReason
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import LetterType

pytestmark = pytest.mark.django_db

HAIZHU, YUEXIU = "440105", "440104"


def _assign_target(letter: Letter) -> Unit:
    """A unit the holder may transfer the letter to (with a reason, any allowed unit will do); the
    holder itself if there is none, which the service refuses."""
    holder = letter.handling_unit or letter.intake_unit
    proposal = propose_for_letter(letter)
    candidates = [proposal.unit, *Unit.objects.filter(path__startswith=holder.bureau.path, is_active=True)]
    allowed = (
        unit
        for unit in candidates
        if proposal.allows(unit) and unit.pk != letter.handling_unit_id and unit.is_within(holder.bureau)
    )
    return next(allowed, holder)


def _answer(letter: Letter, actor: User) -> None:
    someone = User.objects.filter(kind=User.Kind.STAFF).exclude(pk=actor.pk).first() or actor
    instruction = Instruction.objects.create(letter=letter, leader=someone, text="请核查。", created_at=timezone.now())
    s.instruction_respond(instruction=instruction, actor=actor, text="已核查。")


def _set_accused(letter: Letter, actor: User) -> None:
    other = HAIZHU if letter.accused_unit is None or letter.accused_unit.code != HAIZHU else YUEXIU
    s.letter_set_accused(letter=letter, actor=actor, accused_unit=Unit.objects.get(code=other), reason="核实后更正。")


Perform = Callable[[Letter, User], object]
# Each action performed through its service with valid input.
PERFORM: dict[str, Perform] = {
    Action.REQUEST_INFO: lambda x, a: s.letter_request_info(letter=x, actor=a, reason="请补充身份证明。"),
    Action.SUPPLY_INFO: lambda x, a: s.letter_supply_info(letter=x, actor=a, text="已补充。"),
    Action.ACCEPT: lambda x, a: s.letter_accept(letter=x, actor=a),
    Action.REFUSE: lambda x, a: s.letter_refuse(letter=x, actor=a, reason=RefusalReason.NOT_POLICE),
    Action.REFER: lambda x, a: s.letter_refer(letter=x, actor=a, organ="市场监督管理局", text="请向其反映。"),
    Action.REDIRECT_EMERGENCY: lambda x, a: s.letter_redirect_emergency(letter=x, actor=a, note="已转 110。"),
    Action.ASSIGN: lambda x, a: s.letter_assign(
        letter=x, actor=a, unit=_assign_target(x), mode=AssignmentMode.TRANSFER, reason="按管辖转办。"
    ),
    Action.RETURN_MISROUTED: lambda x, a: s.letter_return_misrouted(letter=x, actor=a, reason="不属于本单位管辖。"),
    Action.START_HANDLING: lambda x, a: s.letter_start_handling(letter=x, actor=a),
    Action.REQUEST_EXTENSION: lambda x, a: s.letter_request_extension(letter=x, actor=a, days=10, reason="需调查。"),
    Action.DECIDE_EXTENSION: lambda x, a: s.letter_decide_extension(letter=x, actor=a, approve=True),
    Action.REPORT_BACK: lambda x, a: s.letter_report_back(letter=x, actor=a, text="已办结。"),
    Action.DRAFT_REPLY: lambda x, a: s.letter_draft_reply(letter=x, actor=a, text="经查，情况属实。"),
    Action.REJECT_REPLY: lambda x, a: s.letter_reject_reply(letter=x, actor=a, note="请补充依据。"),
    Action.APPROVE_REPLY: lambda x, a: s.letter_approve_reply(letter=x, actor=a),
    Action.REPLY_DIRECTLY: lambda x, a: s.letter_reply_directly(letter=x, actor=a, text="答复如下。"),
    Action.EVALUATE: lambda x, a: s.letter_evaluate(letter=x, actor=a, rating=Rating.SATISFIED),
    Action.REQUEST_REVIEW: lambda x, a: s.letter_request_review(letter=x, actor=a, reason="不服。"),
    Action.ANSWER_REVIEW: lambda x, a: s.letter_answer_review(letter=x, actor=a, text="维持原答复。"),
    Action.REQUEST_REEXAM: lambda x, a: s.letter_request_reexam(letter=x, actor=a, reason="仍不服。"),
    Action.ANSWER_REEXAM: lambda x, a: s.letter_answer_reexam(letter=x, actor=a, text="维持。"),
    Action.SET_ACCUSED: _set_accused,
    Action.CLEAR_EMERGENCY_FLAG: lambda x, a: s.letter_clear_emergency_flag(letter=x, actor=a),
    Action.APPLY_SUGGESTIONS: lambda x, a: s.letter_apply_suggestions(
        letter=x,
        actor=a,
        division_code="" if x.division_code else "440106",
        police_type="" if x.police_type else PoliceType.PUBLIC_ORDER,
    ),
    Other.MESSAGE: lambda x, a: s.message_post(letter=x, actor=a, kind=Message.Kind.TO_CITIZEN, text="您好。"),
    Other.CITIZEN_MESSAGE: lambda x, a: s.message_post(
        letter=x, actor=a, kind=Message.Kind.FROM_CITIZEN, text="请尽快。"
    ),
    Other.NOTE: lambda x, a: s.message_post(letter=x, actor=a, kind=Message.Kind.INTERNAL_NOTE, text="备注。"),
    Other.INSTRUCT: lambda x, a: s.instruction_create(letter=x, actor=a, text="请抓紧办理。"),
    Other.SUPERVISE: lambda x, a: s.supervision_order_issue(
        letter=x, actor=a, text="限期办结。", due=timezone.localdate() + dt.timedelta(days=5)
    ),
    Other.ANSWER: _answer,
}


@dataclass(frozen=True)
class People:
    writer: User
    other_citizen: User
    seat: User
    acceptor: User
    handler: User
    leader: User
    inspector: User
    outsider: User
    gz_reviewer: User
    gd_reexaminer: User
    mailbox: Mailbox
    tianhe: Unit

    def everyone(self) -> dict[str, User]:
        names = ("writer", "other_citizen", "seat", "acceptor", "handler", "leader", "inspector", "outsider",
                 "gz_reviewer", "gd_reexaminer")  # fmt: skip
        return {name: getattr(self, name) for name in names}


@pytest.fixture
def people(
    citizen: User, seat_agent: User, acceptor: User, handler: User, leader: User, inspector: User, outsider: User,
    gz_reviewer: User, gd_reexaminer: User, gd_mailbox: Mailbox, tianhe: Unit,
) -> People:  # fmt: skip
    other = User(username="other-citizen", kind=User.Kind.CITIZEN, first_name="李四")
    other.set_password(PASSWORD)
    other.save()
    return People(citizen, other, seat_agent, acceptor, handler, leader, inspector, outsider, gz_reviewer,
                  gd_reexaminer, gd_mailbox, tianhe)  # fmt: skip


# ---------------------------------------------------------------- scenes: a letter driven to a state


def _received(p: People, **extra: object) -> Letter:
    return submit(p.writer, p.mailbox, **extra).letter  # type: ignore[arg-type]


def _accepted(p: People, **extra: object) -> Letter:
    letter = _received(p, **extra)
    s.letter_accept(letter=letter, actor=p.acceptor)
    return decide_accused(letter, p.acceptor)


def _assigned(p: People, mode: str = AssignmentMode.TRANSFER) -> Letter:
    letter = _accepted(p)
    s.letter_assign(letter=letter, actor=p.acceptor, unit=p.tianhe, mode=mode, reason="按管辖转办。")
    return letter


def _in_handling(p: People, mode: str = AssignmentMode.TRANSFER) -> Letter:
    letter = _assigned(p, mode)
    s.letter_start_handling(letter=letter, actor=p.handler)
    return letter


def _extension_pending(p: People) -> Letter:
    letter = _in_handling(p)
    s.letter_request_extension(letter=letter, actor=p.handler, days=10, reason="需调查。")
    return letter


def _drafted(p: People) -> Letter:
    letter = _in_handling(p, AssignmentMode.ASSIGN)
    s.letter_draft_reply(letter=letter, actor=p.handler, text="经查，情况属实。")
    return letter


def _replied(p: People) -> Letter:
    letter = _drafted(p)
    s.letter_approve_reply(letter=letter, actor=p.leader)
    return letter


def _evaluated(p: People) -> Letter:
    letter = _replied(p)
    s.letter_evaluate(letter=letter, actor=p.writer, rating=Rating.DISSATISFIED)
    return letter


def _review_requested(p: People) -> Letter:
    letter = _replied(p)
    s.letter_request_review(letter=letter, actor=p.writer, reason="不服。")
    return letter


def _review_answered(p: People) -> Letter:
    letter = _review_requested(p)
    s.letter_answer_review(letter=letter, actor=p.gz_reviewer, text="维持原答复。")
    return letter


def _reexam_requested(p: People) -> Letter:
    letter = _review_answered(p)
    s.letter_request_reexam(letter=letter, actor=p.writer, reason="仍不服。")
    return letter


def _concluded(p: People) -> Letter:
    letter = _reexam_requested(p)
    s.letter_answer_reexam(letter=letter, actor=p.gd_reexaminer, text="维持。")
    return letter


def _info_requested(p: People) -> Letter:
    letter = _received(p)
    s.letter_request_info(letter=letter, actor=p.acceptor, reason="请补充身份证明。")
    return letter


def _refused(p: People) -> Letter:
    letter = _received(p)
    s.letter_refuse(letter=letter, actor=p.acceptor, reason=RefusalReason.NOT_POLICE)
    return letter


def _returned_twice(p: People) -> Letter:
    letter = _assigned(p)
    for _ in range(2):
        s.letter_return_misrouted(letter=letter, actor=p.handler, reason="不属于本单位管辖。")
        s.letter_assign(letter=letter, actor=p.acceptor, unit=p.tianhe, reason="按管辖转办。")
    return letter


LATER = dt.timedelta(days=90)  # past every request window (evaluation, review, re-examination)

# name → (how to reach it, how long after reaching it the actions are tried)
SCENES: dict[str, tuple[Callable[[People], Letter], dt.timedelta]] = {
    "received": (_received, dt.timedelta()),
    "received_decided": (lambda p: decide_accused(_received(p), p.acceptor), dt.timedelta()),
    "received_inquiry": (lambda p: _received(p, letter_type=LetterType.INQUIRY, division_code=""), dt.timedelta()),
    "info_requested": (_info_requested, dt.timedelta()),
    "accepted": (_accepted, dt.timedelta()),
    "accepted_undecided": (lambda p: s.letter_accept(letter=_received(p), actor=p.acceptor), dt.timedelta()),
    "accepted_inquiry": (lambda p: _accepted(p, letter_type=LetterType.INQUIRY, division_code=""), dt.timedelta()),
    "not_accepted": (_refused, dt.timedelta()),
    "assigned": (_assigned, dt.timedelta()),
    "assigned_past_return_window": (_assigned, dt.timedelta(days=30)),
    "assigned_returned_twice": (_returned_twice, dt.timedelta()),
    "in_handling": (_in_handling, dt.timedelta()),
    "in_handling_report_back": (lambda p: _in_handling(p, AssignmentMode.ASSIGN), dt.timedelta()),
    "extension_pending": (_extension_pending, dt.timedelta()),
    "reply_drafted": (_drafted, dt.timedelta()),
    "replied": (_replied, dt.timedelta()),
    "replied_windows_passed": (_replied, LATER),
    "evaluated": (_evaluated, dt.timedelta()),
    "review_requested": (_review_requested, dt.timedelta()),
    "review_answered": (_review_answered, dt.timedelta()),
    "review_answered_window_passed": (_review_answered, LATER),
    "reexam_requested": (_reexam_requested, dt.timedelta()),
    "concluded": (_concluded, dt.timedelta()),
}


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint undone on leaving, whatever happened inside."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _attempt(name: str, letter_id: int, actor: User) -> str:
    """Perform ``name`` as ``actor`` in a savepoint that is rolled back; "" on success, else the refusal."""
    with rolled_back():
        try:
            PERFORM[name](Letter.objects.get(pk=letter_id), User.objects.get(pk=actor.pk))
        except LifecycleError as exc:
            return str(exc) or "refused"
    return ""


def test_every_action_available_actions_knows_is_tried() -> None:
    assert set(PERFORM) == {*OFFERED_STEPS, *Other}


@pytest.mark.parametrize("scene", list(SCENES))
def test_what_is_offered_succeeds_and_what_is_not_is_refused(scene: str, people: People) -> None:
    build, wait = SCENES[scene]
    disagreements = []
    with rolled_back():
        letter = build(people)
        with time_machine.travel(timezone.now() + wait, tick=False):
            for who, actor in people.everyone().items():
                fresh_actor = User.objects.get(pk=actor.pk)
                offers = available_actions(fresh_actor, Letter.objects.get(pk=letter.pk))
                for name, offer in offers.items():
                    refusal = _attempt(name, letter.pk, actor)
                    if offer.allowed and refusal:
                        disagreements.append(f"{who} {name}: offered, but the service refused: {refusal}")
                    if not offer.allowed and not refusal:
                        disagreements.append(f"{who} {name}: not offered ({offer.reason}), but the service did it")
                    if not offer.allowed:
                        assert offer.reason, f"{who} {name}: refused without a reason"
    assert not disagreements, "\n".join(disagreements)


def test_the_matrix_reaches_every_state_a_person_can_act_in(people: People) -> None:
    """The scenes are not a sample that misses a state: each state some person acts from is reached."""
    reached = set()
    with rolled_back():
        for build, _wait in SCENES.values():
            reached.add(build(people).state)
    acted_from = {state for t in TRANSITIONS.values() if t.performer != Performer.SYSTEM for state in t.sources} - {
        "emergency_redirected",
        "referred",
        "closed",
    }
    assert acted_from <= reached, acted_from - reached


def test_an_inspector_cannot_supervise_a_finished_letter(people: People) -> None:
    """The page refused it and the service did not: one rule now, in the access policy."""
    with rolled_back():
        letter = _concluded(people)
        offers = available_actions(people.inspector, letter)
        assert not offers[Other.SUPERVISE].allowed
        assert offers[Other.SUPERVISE].reason == "信件已办结，不能督办。"
        with pytest.raises(LifecycleError):
            PERFORM[Other.SUPERVISE](letter, people.inspector)
