from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import Letter, LetterEvent, LetterState, Rating, SupervisionOrder
from xinfang.letters.sweeps import SweepResult, sweep_deadlines
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType

S = LetterState
TZ = dt.timezone(dt.timedelta(hours=8))
LEAD = dt.timedelta(days=settings.XINFANG_DUE_SOON_DAYS)
ONE_DAY = dt.timedelta(days=1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False) as traveller:
        yield traveller


def on(traveller: time_machine.Traveller, day: dt.date) -> None:
    traveller.move_to(dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ))


def sweep_on(traveller: time_machine.Traveller, day: dt.date) -> SweepResult:
    on(traveller, day)
    return sweep_deadlines()


def marks(letter: Letter, action: str) -> list[str]:
    return [e.data["due"] for e in LetterEvent.objects.filter(letter=letter, action=action).order_by("id")]


def windows_close(letter: Letter) -> dt.date:
    """The last day on which the writer may still rate a reply or ask for review."""
    assert letter.evaluation_due is not None and letter.review_request_due is not None
    return max(letter.evaluation_due, letter.review_request_due)


def reloaded(letter: Letter) -> Letter:
    return Letter.objects.get(pk=letter.pk)


@pytest.fixture
def in_handling(
    clock: time_machine.Traveller, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> Letter:
    letter = submit(citizen, gd_mailbox).letter
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    s.letter_start_handling(letter=letter, actor=handler)
    return letter


def test_due_soon_is_marked_once_per_due_date(
    clock: time_machine.Traveller, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = submit(citizen, gd_mailbox).letter
    due = letter.current_due
    assert due == dt.date(2026, 3, 17)
    assert sweep_on(clock, due - LEAD - ONE_DAY).due_soon == 0
    assert sweep_on(clock, due - LEAD).due_soon == 1
    assert sweep_deadlines() == SweepResult()
    assert sweep_on(clock, due - ONE_DAY) == SweepResult()
    assert reloaded(letter).due_soon_marked == due
    assert marks(letter, "mark_due_soon") == [str(due)]


def test_a_due_date_moved_by_an_extension_is_warned_about_again(
    clock: time_machine.Traveller, in_handling: Letter, handler: User, leader: User
) -> None:
    letter = in_handling
    first = letter.current_due
    assert first is not None
    sweep_on(clock, first - LEAD)
    letter = reloaded(letter)  # the handler opens the letter after the night's sweep
    s.letter_request_extension(letter=letter, actor=handler, days=20, reason="需调取监控录像")
    s.letter_decide_extension(letter=letter, actor=leader, approve=True)
    second = reloaded(letter).current_due
    assert second is not None and second > first + LEAD
    assert sweep_deadlines() == SweepResult(), "the new date is not near yet"
    assert sweep_on(clock, second - LEAD).due_soon == 1
    assert marks(letter, "mark_due_soon") == [str(first), str(second)]
    assert not reloaded(letter).supervision_flag


def test_an_overdue_letter_is_supervised_by_the_inspection_department_above_its_holder(
    clock: time_machine.Traveller, in_handling: Letter
) -> None:
    letter = in_handling
    due = letter.current_due
    assert due is not None and letter.handling_unit is not None and letter.handling_unit.code == "440106"
    assert sweep_on(clock, due).overdue == 0, "the last day itself is not late"
    assert sweep_on(clock, due + ONE_DAY).overdue == 1
    letter = reloaded(letter)
    assert letter.overdue_marked == due and letter.supervision_flag
    order = SupervisionOrder.objects.get(letter=letter)
    assert order.automatic and order.issuing_unit.code == "440100-inspection"
    assert order.responded_at is None
    # The holder has five working days to answer the order, not already late the day it is raised:
    # raised Thursday 7 May 2026, due Fri 8, Sat 9 (a working Saturday after Labour Day), Mon 11,
    # Tue 12, Wed 13 May.
    assert (due + ONE_DAY, order.due) == (dt.date(2026, 5, 7), dt.date(2026, 5, 13))
    assert sweep_on(clock, due + 5 * ONE_DAY) == SweepResult()
    assert SupervisionOrder.objects.filter(letter=letter).count() == 1
    assert marks(letter, "mark_overdue") == [str(due)]


def test_a_letter_left_at_the_provincial_front_desk_is_supervised_by_the_ministry(
    clock: time_machine.Traveller, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = submit(citizen, gd_mailbox).letter
    assert letter.accept_due is not None
    sweep_on(clock, letter.accept_due + ONE_DAY)
    order = SupervisionOrder.objects.get(letter=letter)
    assert order.issuing_unit.code == "MPS-inspection"
    assert reloaded(letter).overdue_marked == letter.accept_due


def test_an_overdue_review_is_supervised_above_the_unit_that_owes_the_review(
    clock: time_machine.Traveller, in_handling: Letter, citizen: User, handler: User, leader: User
) -> None:
    """Tianhe replied, so Guangzhou reviews; if Guangzhou is late, Guangdong supervises it, not Guangzhou itself."""
    letter = in_handling
    s.letter_draft_reply(letter=letter, actor=handler, text="经调查，已责令该所限期办结。")
    s.letter_approve_reply(letter=letter, actor=leader)
    s.letter_request_review(letter=letter, actor=citizen, reason="至今仍未办理")
    assert letter.review_unit is not None and letter.review_unit.code == "440100"
    assert letter.review_due is not None
    sweep_on(clock, letter.review_due + ONE_DAY)
    order = SupervisionOrder.objects.get(letter=letter)
    assert order.issuing_unit.code == "440000-inspection"


def test_replied_letters_close_once_the_evaluation_and_review_windows_have_passed(
    clock: time_machine.Traveller, citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    def answered_inquiry() -> Letter:
        letter = submit(
            citizen, gd_mailbox, letter_type=LetterType.INQUIRY, subject="护照", text="办护照要什么材料？"
        ).letter
        s.letter_accept(letter=letter, actor=acceptor)
        s.letter_reply_directly(letter=letter, actor=acceptor, text="请携带身份证到出入境窗口办理。")
        return letter

    unrated, rated = answered_inquiry(), answered_inquiry()
    s.letter_evaluate(letter=rated, actor=citizen, rating=Rating.SATISFIED)
    last_day = windows_close(unrated)
    assert sweep_on(clock, last_day).closed == 0
    assert sweep_on(clock, last_day + ONE_DAY).closed == 2
    unrated, rated = reloaded(unrated), reloaded(rated)
    assert unrated.state == rated.state == S.CLOSED
    assert unrated.finished_at is not None and rated.finished_at is not None
    assert marks(unrated, "close_unevaluated") and marks(rated, "close_window_passed")


def test_a_reviewed_letter_closes_when_the_re_examination_window_passes(
    clock: time_machine.Traveller, in_handling: Letter, citizen: User, handler: User, leader: User,
    gz_reviewer: User,
) -> None:  # fmt: skip
    letter = in_handling
    s.letter_draft_reply(letter=letter, actor=handler, text="答复。")
    s.letter_approve_reply(letter=letter, actor=leader)
    s.letter_request_review(letter=letter, actor=citizen, reason="不服")
    s.letter_answer_review(letter=letter, actor=gz_reviewer, text="维持。")
    assert letter.reexam_request_due is not None
    assert sweep_on(clock, letter.reexam_request_due).closed == 0
    assert sweep_on(clock, letter.reexam_request_due + ONE_DAY).closed == 1
    assert reloaded(letter).state == S.CLOSED


def test_the_sweep_is_idempotent(
    clock: time_machine.Traveller, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    waiting = submit(citizen, gd_mailbox).letter
    inquiry = submit(citizen, gd_mailbox, letter_type=LetterType.INQUIRY).letter
    s.letter_accept(letter=inquiry, actor=acceptor)
    s.letter_reply_directly(letter=inquiry, actor=acceptor, text="答复。")
    on(clock, dt.date(2026, 3, 30))
    near = submit(citizen, gd_mailbox).letter
    assert waiting.accept_due is not None and near.accept_due is not None
    day = near.accept_due - LEAD
    assert day > waiting.accept_due and day > windows_close(inquiry)
    first = sweep_on(clock, day)
    assert first == SweepResult(due_soon=1, overdue=1, closed=1)
    events, orders = LetterEvent.objects.count(), SupervisionOrder.objects.count()
    assert sweep_deadlines() == SweepResult()
    assert (LetterEvent.objects.count(), SupervisionOrder.objects.count()) == (events, orders)


def test_the_command_sweeps_as_of_a_given_day(
    citizen: User, gd_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        letter = submit(citizen, gd_mailbox).letter
    call_command("sweep_deadlines", "--today", "2026-03-18")
    assert capsys.readouterr().out.strip() == "due soon: 0, overdue: 1, closed: 0"
    assert reloaded(letter).overdue_marked == dt.date(2026, 3, 17)
