"""Due dates on the official 2025-2026 calendar, every expected date counted by hand.

2026 arrangement: New Year 1-3 Jan (Sunday 4 Jan worked); Spring Festival 15-23 Feb (Saturdays
14 and 28 Feb worked); Qingming 4-6 Apr; Labour Day 1-5 May (Saturday 9 May worked); Dragon Boat
19-21 Jun; Mid-Autumn 25-27 Sep (Sunday 20 Sep worked); National Day 1-7 Oct (Saturday 10 Oct worked).
2025: Spring Festival 28 Jan - 4 Feb. 2027 has no official data until a test loads it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xinfang.deadlines.policies import Due, Step, due_date
from xinfang.deadlines.services import holidays_load_file
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import LetterType

D = dt.date
GD = "gd"

# (case, step, start, mailbox slug, letter type, expected last day, provisional)
CASES = [
    ("acceptance, ordinary weekday", Step.ACCEPTANCE, D(2026, 3, 2), None, None, D(2026, 3, 17), False),
    ("acceptance lands on National Day", Step.ACCEPTANCE, D(2026, 9, 16), None, None, D(2026, 10, 8), False),
    ("acceptance lands in Spring Festival", Step.ACCEPTANCE, D(2026, 2, 1), None, None, D(2026, 2, 24), False),
    ("acceptance lands on ordinary Saturday", Step.ACCEPTANCE, D(2026, 3, 6), None, None, D(2026, 3, 23), False),
    ("acceptance lands on worked Saturday", Step.ACCEPTANCE, D(2026, 2, 13), None, None, D(2026, 2, 28), False),
    ("acceptance lands on Qingming", Step.ACCEPTANCE, D(2026, 3, 20), None, None, D(2026, 4, 7), False),
    ("acceptance lands on Labour Day", Step.ACCEPTANCE, D(2026, 4, 16), None, None, D(2026, 5, 6), False),
    ("acceptance lands on Dragon Boat", Step.ACCEPTANCE, D(2026, 6, 4), None, None, D(2026, 6, 22), False),
    ("acceptance lands on Mid-Autumn", Step.ACCEPTANCE, D(2026, 9, 10), None, None, D(2026, 9, 28), False),
    ("acceptance lands on worked Sunday", Step.ACCEPTANCE, D(2026, 9, 5), None, None, D(2026, 9, 20), False),
    ("acceptance across New Year", Step.ACCEPTANCE, D(2025, 12, 17), None, None, D(2026, 1, 4), False),
    ("acceptance in Spring Festival 2025", Step.ACCEPTANCE, D(2025, 1, 14), None, None, D(2025, 2, 5), False),
    ("acceptance ends on 31 December", Step.ACCEPTANCE, D(2026, 12, 16), None, None, D(2026, 12, 31), False),
    ("reply across month ends", Step.REPLY, D(2026, 1, 30), None, None, D(2026, 3, 31), False),
    ("reply lands on Labour Day", Step.REPLY, D(2026, 3, 2), None, None, D(2026, 5, 6), False),
    ("reply lands on Sunday", Step.REPLY, D(2026, 7, 1), None, None, D(2026, 8, 31), False),
    ("extension of 30 days", Step.EXTENSION, D(2026, 3, 31), None, None, D(2026, 4, 30), False),
    ("extension lands on National Day", Step.EXTENSION, D(2026, 9, 1), None, None, D(2026, 10, 8), False),
    ("misroute over worked Saturday 14 Feb", Step.MISROUTE_RETURN, D(2026, 2, 11), None, None, D(2026, 2, 25), False),
    ("misroute over worked Saturday 9 May", Step.MISROUTE_RETURN, D(2026, 5, 6), None, None, D(2026, 5, 12), False),
    ("misroute in an ordinary week", Step.MISROUTE_RETURN, D(2026, 3, 2), None, None, D(2026, 3, 9), False),
    ("misroute over National Day", Step.MISROUTE_RETURN, D(2026, 9, 30), None, None, D(2026, 10, 13), False),
    ("misroute over worked Sunday 20 Sep", Step.MISROUTE_RETURN, D(2026, 9, 17), None, None, D(2026, 9, 23), False),
    ("gd inquiry in 5 working days", Step.REPLY, D(2026, 4, 1), GD, LetterType.INQUIRY, D(2026, 4, 9), False),
    ("gd inquiry over Spring Festival", Step.REPLY, D(2026, 2, 12), GD, LetterType.INQUIRY, D(2026, 2, 26), False),
    ("gd complaint keeps 60 days", Step.REPLY, D(2026, 4, 1), GD, LetterType.COMPLAINT, D(2026, 6, 1), False),
    ("12389 inquiry keeps 60 days", Step.REPLY, D(2026, 4, 1), "12389", LetterType.INQUIRY, D(2026, 6, 1), False),
    ("review request lands in Spring Festival", Step.REVIEW_REQUEST, D(2026, 1, 20), None, None, D(2026, 2, 24), False),
    ("review answer", Step.REVIEW_ANSWER, D(2026, 6, 1), None, None, D(2026, 7, 1), False),
    ("re-examination request on Dragon Boat", Step.REEXAM_REQUEST, D(2026, 5, 20), None, None, D(2026, 6, 22), False),
    ("re-examination answer on National Day", Step.REEXAM_ANSWER, D(2026, 9, 7), None, None, D(2026, 10, 8), False),
    ("evaluation window", Step.EVALUATION_WINDOW, D(2026, 12, 1), None, None, D(2026, 12, 31), False),
    ("December reply ends in 2027", Step.REPLY, D(2026, 12, 10), None, None, D(2027, 2, 8), True),
    ("December acceptance ends in 2027", Step.ACCEPTANCE, D(2026, 12, 20), None, None, D(2027, 1, 4), True),
    ("misroute over New Year 2027", Step.MISROUTE_RETURN, D(2026, 12, 29), None, None, D(2027, 1, 5), True),
]


def mailbox_named(slug: str | None) -> Mailbox | None:
    return Mailbox.objects.get(slug=slug) if slug else None


@pytest.mark.usefixtures("gd_inquiries_in_5_working_days")
@pytest.mark.parametrize(
    ("step", "start", "slug", "letter_type", "expected", "provisional"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_due_dates_follow_the_official_calendar(
    step: Step, start: dt.date, slug: str | None, letter_type: str | None, expected: dt.date, provisional: bool
) -> None:
    due = due_date(step, start=start, mailbox=mailbox_named(slug), letter_type=letter_type)
    assert due == Due(date=expected, provisional=provisional)


# After the 2027 file is loaded: 8 Feb 2027 is a Spring Festival holiday, 1 Jan 2027 a rest day.
AFTER_2027 = [
    ("reply moves past Spring Festival 2027", Step.REPLY, D(2026, 12, 10), D(2027, 2, 15)),
    ("acceptance stays on Monday 4 Jan", Step.ACCEPTANCE, D(2026, 12, 20), D(2027, 1, 4)),
    ("misroute skips New Year's Day 2027", Step.MISROUTE_RETURN, D(2026, 12, 29), D(2027, 1, 6)),
]


@pytest.mark.parametrize(("step", "start", "expected"), [c[1:] for c in AFTER_2027], ids=[c[0] for c in AFTER_2027])
def test_loading_2027_makes_its_due_dates_final(
    step: Step, start: dt.date, expected: dt.date, year_2027_file: Path
) -> None:
    assert due_date(step, start=start, mailbox=None, letter_type=None).provisional
    holidays_load_file(path=year_2027_file, actor=None)
    assert due_date(step, start=start, mailbox=None, letter_type=None) == Due(date=expected, provisional=False)
