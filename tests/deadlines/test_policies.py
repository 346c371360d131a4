from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.deadlines.policies import LEGAL_DEFAULTS, DayKind, Due, Limit, Step, due_date, limit_for
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import LetterType


def override(
    step: Step,
    days: int,
    *,
    mailbox: Mailbox | None = None,
    letter_type: str = "",
    day_kind: DayKind = DayKind.CALENDAR,
) -> TimeLimitPolicy:
    policy = TimeLimitPolicy(mailbox=mailbox, letter_type=letter_type, step=step, days=days, day_kind=day_kind)
    policy.full_clean()
    policy.save()
    return policy


def days_for(mailbox: Mailbox | None, letter_type: str | None) -> int:
    return limit_for(Step.ACCEPTANCE, mailbox=mailbox, letter_type=letter_type).days


def test_the_legal_limits() -> None:
    assert {step: (limit.days, limit.day_kind) for step, limit in LEGAL_DEFAULTS.items()} == {
        Step.ACCEPTANCE: (15, DayKind.CALENDAR),
        Step.REPLY: (60, DayKind.CALENDAR),
        Step.EXTENSION: (30, DayKind.CALENDAR),
        Step.MISROUTE_RETURN: (5, DayKind.WORKING),
        Step.REVIEW_REQUEST: (30, DayKind.CALENDAR),
        Step.REVIEW_ANSWER: (30, DayKind.CALENDAR),
        Step.REEXAM_REQUEST: (30, DayKind.CALENDAR),
        Step.REEXAM_ANSWER: (30, DayKind.CALENDAR),
        Step.EVALUATION_WINDOW: (30, DayKind.CALENDAR),
        Step.SUPERVISION_ANSWER: (5, DayKind.WORKING),
    }
    assert "第三十二条" in LEGAL_DEFAULTS[Step.REPLY].source
    assert "art. 32" in LEGAL_DEFAULTS[Step.REPLY].source


def test_without_overrides_the_law_applies(gd_mailbox: Mailbox) -> None:
    assert limit_for(Step.REPLY, mailbox=gd_mailbox, letter_type=LetterType.INQUIRY) == LEGAL_DEFAULTS[Step.REPLY]


def test_the_most_specific_override_wins(gd_mailbox: Mailbox, other_mailbox: Mailbox) -> None:
    override(Step.ACCEPTANCE, 14)
    override(Step.ACCEPTANCE, 12, letter_type=LetterType.INQUIRY)
    override(Step.ACCEPTANCE, 10, mailbox=gd_mailbox)
    override(Step.ACCEPTANCE, 7, mailbox=gd_mailbox, letter_type=LetterType.INQUIRY)

    assert days_for(gd_mailbox, LetterType.INQUIRY) == 7
    assert days_for(gd_mailbox, LetterType.COMPLAINT) == 10
    assert days_for(other_mailbox, LetterType.INQUIRY) == 12
    assert days_for(other_mailbox, LetterType.COMPLAINT) == 14
    assert days_for(None, None) == 14


def test_a_type_override_beats_a_general_one_for_a_mailbox_without_its_own(other_mailbox: Mailbox) -> None:
    override(Step.ACCEPTANCE, 12, letter_type=LetterType.INQUIRY)
    assert days_for(other_mailbox, LetterType.INQUIRY) == 12
    assert days_for(other_mailbox, LetterType.COMPLAINT) == 15


def test_another_mailboxs_override_does_not_apply(gd_mailbox: Mailbox, other_mailbox: Mailbox) -> None:
    override(Step.ACCEPTANCE, 7, mailbox=gd_mailbox)
    assert days_for(other_mailbox, LetterType.COMPLAINT) == 15
    assert days_for(None, LetterType.COMPLAINT) == 15


def test_it_refuses_an_override_longer_than_the_law(gd_mailbox: Mailbox) -> None:
    with pytest.raises(ValidationError) as refused:
        override(Step.REPLY, 61, mailbox=gd_mailbox)
    assert "60日" in refused.value.message_dict["days"][0]
    assert not TimeLimitPolicy.objects.exists()


def test_it_explains_the_refusal_in_english(gd_mailbox: Mailbox) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        override(Step.ACCEPTANCE, 16, mailbox=gd_mailbox)
    message = refused.value.message_dict["days"][0]
    assert "15 days" in message
    assert "Regulations on Petition Work (2022) art. 24" in message


def test_it_refuses_a_working_day_override_that_can_outlast_the_law() -> None:
    with pytest.raises(ValidationError):
        override(Step.REPLY, 43, day_kind=DayKind.WORKING)
    with pytest.raises(ValidationError):
        override(Step.MISROUTE_RETURN, 6, day_kind=DayKind.WORKING)


def test_it_accepts_a_calendar_day_override_of_a_working_day_limit() -> None:
    override(Step.MISROUTE_RETURN, 5, day_kind=DayKind.CALENDAR)
    assert due_date(Step.MISROUTE_RETURN, start=dt.date(2026, 3, 2), mailbox=None, letter_type=None) == Due(
        dt.date(2026, 3, 9), provisional=False
    )


def test_a_working_day_override_never_ends_after_the_legal_date() -> None:
    # 42 working days from 20 Jan 2026 end on 25 Mar (Spring Festival in between); the law's 60 days on 23 Mar.
    override(Step.REPLY, 42, day_kind=DayKind.WORKING)
    assert due_date(Step.REPLY, start=dt.date(2026, 1, 20), mailbox=None, letter_type=None) == Due(
        dt.date(2026, 3, 23), provisional=False
    )


def test_it_refuses_to_shorten_the_citizens_window_for_review() -> None:
    with pytest.raises(ValidationError):
        override(Step.REVIEW_REQUEST, 20)
    override(Step.REEXAM_REQUEST, 45)
    assert limit_for(Step.REEXAM_REQUEST, mailbox=None, letter_type=None).days == 45


def test_the_evaluation_window_is_free_product_policy() -> None:
    override(Step.EVALUATION_WINDOW, 90)
    assert limit_for(Step.EVALUATION_WINDOW, mailbox=None, letter_type=None) == Limit(
        90, DayKind.CALENDAR, "所有信箱 · 所有类型 · 评价期：90日"
    )


def test_an_unlawful_row_saved_past_validation_is_ignored(gd_mailbox: Mailbox) -> None:
    override(Step.ACCEPTANCE, 10)
    TimeLimitPolicy.objects.create(mailbox=gd_mailbox, step=Step.ACCEPTANCE, days=20)
    assert days_for(gd_mailbox, LetterType.COMPLAINT) == 10


def test_it_refuses_a_second_override_for_the_same_mailbox_type_and_step(gd_mailbox: Mailbox) -> None:
    override(Step.ACCEPTANCE, 10, mailbox=gd_mailbox, letter_type=LetterType.INQUIRY)
    with pytest.raises(ValidationError):
        override(Step.ACCEPTANCE, 9, mailbox=gd_mailbox, letter_type=LetterType.INQUIRY)


def test_it_refuses_a_second_override_that_applies_everywhere() -> None:
    override(Step.ACCEPTANCE, 10)
    with pytest.raises(ValidationError):
        override(Step.ACCEPTANCE, 9)
