from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.lifecycle import Conflict, LifecycleError
from xinfang.letters.models import Extension, Letter, LetterState, Rating, RefusalReason
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType

S = LetterState
pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def events(letter: Letter) -> list[str]:
    return list(letter.events.values_list("action", flat=True))


def test_a_letter_gets_a_tracking_number_and_a_query_code_stored_only_hashed(
    citizen: User, gd_mailbox: Mailbox
) -> None:
    submission = submit(citizen, gd_mailbox)
    letter = submission.letter
    assert letter.tracking_number.startswith("GD-")
    date_part = letter.tracking_number.split("-")[1]
    assert len(date_part) == 8 and date_part.isdigit()
    assert len(s.normalise_query_code(submission.query_code)) == 16
    assert submission.query_code not in letter.query_code_hash
    assert s.query_code_matches(letter, submission.query_code.lower())
    assert not s.query_code_matches(letter, "AAAA-BBBB-CCCC-DDDD")
    assert letter.state == S.RECEIVED and events(letter) == ["receive"]


def test_receipt_sets_the_15_day_acceptance_deadline(citizen: User, gd_mailbox: Mailbox) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        letter = submit(citizen, gd_mailbox).letter
    assert letter.accept_due == dt.date(2026, 3, 17)
    assert letter.current_due == letter.accept_due


def test_the_whole_journey_from_receipt_to_conclusion(
    letter: Letter, citizen: User, acceptor: User, tianhe: Unit, handler: User, leader: User,
    gz_reviewer: User, gd_reexaminer: User, gd_mailbox: Mailbox,
) -> None:  # fmt: skip
    s.letter_accept(letter=letter, actor=acceptor)
    assert letter.reply_due is not None and letter.current_due == letter.reply_due
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    s.letter_start_handling(letter=letter, actor=handler)
    before = letter.reply_due
    s.letter_request_extension(letter=letter, actor=handler, days=30, reason="需调取监控录像")
    s.letter_decide_extension(letter=letter, actor=leader, approve=True)
    assert letter.reply_due > before and letter.current_due == letter.reply_due
    s.letter_draft_reply(letter=letter, actor=handler, text="经调查，已责令该所限期办结并向您致歉。")
    s.letter_approve_reply(letter=letter, actor=leader)
    assert letter.state == S.REPLIED and letter.current_due is None
    s.letter_evaluate(letter=letter, actor=citizen, rating=Rating.DISSATISFIED)
    s.letter_request_review(letter=letter, actor=citizen, reason="至今仍未办理")
    assert letter.review_unit is not None and letter.review_unit.code == "440100"
    s.letter_answer_review(letter=letter, actor=gz_reviewer, text="复查维持原答复意见。")
    s.letter_request_reexam(letter=letter, actor=citizen, reason="不服复查意见")
    assert letter.reexam_unit is not None and letter.reexam_unit.code == "440000"
    s.letter_answer_reexam(letter=letter, actor=gd_reexaminer, text="复核维持。")
    assert letter.state == S.CONCLUDED
    assert events(letter) == [
        "receive", "accept", "set_accused", "assign", "start_handling", "request_extension", "decide_extension",
        "draft_reply", "approve_reply", "evaluate", "request_review", "answer_review", "request_reexam",
        "answer_reexam",
    ]  # fmt: skip
    # The same matter again is refused, citing the earlier conclusion.
    again = submit(citizen, gd_mailbox, repeat_of=letter).letter
    with pytest.raises(LifecycleError, match=letter.tracking_number):
        s.letter_accept(letter=again, actor=acceptor)
    s.letter_refuse(letter=again, actor=acceptor, reason=RefusalReason.CONCLUDED)
    assert letter.tracking_number in again.notice_text


def test_it_refuses_a_second_extension(
    letter: Letter, acceptor: User, tianhe: Unit, handler: User, leader: User
) -> None:
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    s.letter_start_handling(letter=letter, actor=handler)
    s.letter_request_extension(letter=letter, actor=handler, days=10, reason="需要走访")
    s.letter_decide_extension(letter=letter, actor=leader, approve=True)
    with pytest.raises(LifecycleError):
        s.letter_request_extension(letter=letter, actor=handler, days=10, reason="还需要时间")
    with pytest.raises(LifecycleError):
        s.letter_request_extension(letter=letter, actor=handler, days=31, reason="too long")
    assert Extension.objects.filter(letter=letter).count() == 1


def test_an_outsider_and_the_wrong_role_cannot_act(letter: Letter, outsider: User, handler: User) -> None:
    for actor in (outsider, handler):
        with pytest.raises(LifecycleError):
            s.letter_accept(letter=letter, actor=actor)
    letter.refresh_from_db()
    assert letter.state == S.RECEIVED and events(letter) == ["receive"]


def test_two_staff_acting_on_a_stale_copy_get_a_conflict(letter: Letter, acceptor: User) -> None:
    stale = Letter.objects.get(pk=letter.pk)
    s.letter_accept(letter=letter, actor=acceptor)
    with pytest.raises(Conflict):
        s.letter_refuse(letter=stale, actor=acceptor, reason=RefusalReason.NOT_POLICE)
    letter.refresh_from_db()
    assert letter.state == S.ACCEPTED and events(letter) == ["receive", "accept"]


def test_inquiries_may_be_answered_directly_but_complaints_may_not(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, letter: Letter
) -> None:
    inquiry = submit(
        citizen, gd_mailbox, letter_type=LetterType.INQUIRY, subject="护照办理", text="办护照要带什么材料？"
    ).letter
    s.letter_accept(letter=inquiry, actor=acceptor)
    s.letter_reply_directly(letter=inquiry, actor=acceptor, text="请携带身份证到出入境窗口办理。")
    assert inquiry.state == S.REPLIED
    s.letter_accept(letter=letter, actor=acceptor)
    with pytest.raises(LifecycleError):
        s.letter_reply_directly(letter=letter, actor=acceptor, text="答复")


def test_recusal_forbids_transfer_to_the_accused_unit_and_below(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, guangzhou: Unit, tianhe: Unit
) -> None:
    letter = submit(citizen, gd_mailbox, accused_unit=guangzhou, letter_type=LetterType.REPORT).letter
    s.letter_accept(letter=letter, actor=acceptor)
    for unit in (guangzhou, tianhe):
        with pytest.raises(LifecycleError):
            decide_accused(letter, acceptor)
            s.letter_assign(letter=letter, actor=acceptor, unit=unit)
    assert letter.state == S.ACCEPTED


def test_staff_of_the_accused_unit_cannot_act_even_with_the_right_role(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = submit(citizen, gd_mailbox, accused_unit=tianhe).letter
    s.letter_accept(letter=letter, actor=acceptor)
    # Even if someone routed it there by mistake, Tianhe staff may not act on it.
    letter.handling_unit = tianhe
    with pytest.raises(LifecycleError):
        s.letter_start_handling(letter=letter, actor=handler)


def test_a_misrouted_letter_returns_twice_then_escalates_to_the_inspector(
    letter: Letter, acceptor: User, tianhe: Unit, handler: User, guangdong: Unit
) -> None:
    for _round in range(2):
        decide_accused(letter, acceptor)
        s.letter_assign(letter=letter, actor=acceptor, unit=tianhe) if letter.state != S.RECEIVED else None
        if letter.state == S.RECEIVED:
            s.letter_accept(letter=letter, actor=acceptor)
            decide_accused(letter, acceptor)
            s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
        s.letter_return_misrouted(letter=letter, actor=handler, reason="不属于本单位管辖")
        assert letter.state == S.ACCEPTED and letter.handling_unit is None
    order = letter.supervision_orders.get()
    assert order.automatic and order.issuing_unit.code == "440000-inspection"
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    with pytest.raises(LifecycleError):
        s.letter_return_misrouted(letter=letter, actor=handler, reason="again")


def test_a_return_after_five_working_days_is_refused(
    letter: Letter, acceptor: User, tianhe: Unit, handler: User
) -> None:
    s.letter_accept(letter=letter, actor=acceptor)
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ), tick=False):
        decide_accused(letter, acceptor)
        s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    assert letter.return_due == dt.date(2026, 11, 30)
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ), tick=False), pytest.raises(LifecycleError):
        s.letter_return_misrouted(letter=letter, actor=handler, reason="不属于本单位管辖")


def test_the_sweep_marking_a_letter_does_not_make_staff_with_it_open_conflict(letter: Letter, acceptor: User) -> None:
    from xinfang.letters.sweeps import sweep_deadlines

    opened = Letter.objects.get(pk=letter.pk)  # the acceptor has the letter open
    assert letter.accept_due is not None
    assert sweep_deadlines(today=letter.accept_due).due_soon == 1
    s.letter_accept(letter=opened, actor=acceptor)
    assert opened.state == S.ACCEPTED
    assert events(opened) == ["receive", "mark_due_soon", "accept"]


def test_a_letter_accusing_the_mailbox_unit_is_received_one_level_above(
    citizen: User, guangzhou: Unit, guangdong: Unit
) -> None:
    gz_mailbox = Mailbox.objects.get(owner=guangzhou)
    letter = submit(citizen, gz_mailbox, letter_type=LetterType.REPORT, accused_unit=guangzhou).letter
    assert letter.intake_unit == guangdong
    plain = submit(citizen, gz_mailbox).letter
    assert plain.intake_unit == guangzhou
