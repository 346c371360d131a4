"""Leaders' instructions, supervision orders and repeat letters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_staff
from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(letter: Letter, acceptor: User, tianhe: Unit, handler: User) -> Letter:
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    s.letter_start_handling(letter=letter, actor=handler)
    return letter


def test_a_leader_writes_an_instruction_and_the_handler_answers_it_once(
    handled: Letter, leader: User, handler: User
) -> None:
    due = timezone.localdate() + dt.timedelta(days=7)
    instruction = s.instruction_create(letter=handled, actor=leader, text="请尽快核实，依法依规处理。", due=due)
    assert list(handled.instructions.values_list("text", flat=True)) == ["请尽快核实，依法依规处理。"]
    s.instruction_respond(instruction=instruction, actor=handler, text="已约谈当事民警。")
    assert instruction.responded_by == handler
    with pytest.raises(LifecycleError):
        s.instruction_respond(instruction=instruction, actor=handler, text="again")


def test_only_a_leader_who_may_see_the_letter_may_write_an_instruction(
    handled: Letter, handler: User, outsider: User
) -> None:
    for actor in (handler, outsider):
        with pytest.raises(LifecycleError):
            s.instruction_create(letter=handled, actor=actor, text="批示")
    assert not handled.instructions.exists()


def test_an_inspector_above_issues_a_supervision_order_but_an_outsider_cannot(
    handled: Letter, inspector: User, outsider: User, handler: User
) -> None:
    due = timezone.localdate() + dt.timedelta(days=5)
    order = s.supervision_order_issue(letter=handled, actor=inspector, text="请于五日内报告办理进展。", due=due)
    assert order.issuing_unit.code == "440100-inspection" and not order.automatic
    with pytest.raises(LifecycleError):
        s.supervision_order_issue(letter=handled, actor=outsider, text="督办", due=due)
    with pytest.raises(LifecycleError):
        s.supervision_order_issue(
            letter=handled, actor=inspector, text="督办", due=timezone.localdate() - dt.timedelta(days=1)
        )
    s.supervision_order_respond(order=order, actor=handler, text="已完成调查，正在拟写答复。")
    order.refresh_from_db()
    assert order.response.startswith("已完成")


def test_only_the_unit_that_owes_the_step_answers_an_instruction_or_an_order(
    handled: Letter, leader: User, inspector: User, outsider: User, acceptor: User
) -> None:
    due = timezone.localdate() + dt.timedelta(days=5)
    instruction = s.instruction_create(letter=handled, actor=leader, text="请核实。", due=due)
    order = s.supervision_order_issue(letter=handled, actor=inspector, text="请报告进展。", due=due)
    for actor in (outsider, acceptor, inspector):  # another city; the front desk; the supervisor itself
        with pytest.raises(LifecycleError):
            s.instruction_respond(instruction=instruction, actor=actor, text="已落实")
        with pytest.raises(LifecycleError):
            s.supervision_order_respond(order=order, actor=actor, text="已办理")
    instruction.refresh_from_db()
    order.refresh_from_db()
    assert instruction.responded_at is None and order.responded_at is None


def test_a_repeat_letter_is_linked_to_the_same_writers_earlier_letter_only(
    citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    first = submit(citizen, gd_mailbox).letter
    second = submit(citizen, gd_mailbox).letter
    s.letter_link_repeat(letter=second, earlier=first, actor=acceptor)
    assert second.repeat_of == first
    stranger = User.objects.create(username="someone-else", kind=User.Kind.CITIZEN)
    third = submit(stranger, gd_mailbox).letter
    with pytest.raises(LifecycleError):
        s.letter_link_repeat(letter=third, earlier=first, actor=acceptor)


def test_a_leader_of_the_accused_unit_cannot_write_an_instruction(
    citizen: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    letter = submit(citizen, gd_mailbox, accused_unit=tianhe).letter
    tianhe_leader = make_staff("tianhe-boss", tianhe, Role.LEADER)
    with pytest.raises(LifecycleError):
        s.instruction_create(letter=letter, actor=tianhe_leader, text="不予理会")
