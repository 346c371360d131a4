from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from xinfang.deadlines.calendar import forget_cached_years
from xinfang.deadlines.models import HolidayYear, TimeLimitPolicy
from xinfang.deadlines.policies import DayKind, Step
from xinfang.deadlines.services import holidays_load_from_chinese_calendar
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import LetterType

# A made-up arrangement for 2027 (the State Council publishes the real one late in 2026):
# New Year's Day on Friday 1 January, Spring Festival from Saturday 6 to Sunday 14 February,
# Saturday 20 February worked in exchange.
YEAR_2027 = """\
# 2027 holiday arrangement
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-13,holiday,春节
2027-02-14,holiday,春节
2027-02-20,workday,春节调休上班
"""


@pytest.fixture(autouse=True)
def official_calendar(db: None) -> Iterator[None]:
    """2004-2026 loaded (the data migration does it; a flushing test elsewhere may have removed it)."""
    forget_cached_years()
    if not HolidayYear.objects.filter(year=2026).exists():
        holidays_load_from_chinese_calendar(actor=None)
    yield
    forget_cached_years()


@pytest.fixture
def year_2027_file(tmp_path: Path) -> Path:
    path = tmp_path / "2027.csv"
    path.write_text(YEAR_2027, encoding="utf-8")
    return path


@pytest.fixture
def other_mailbox(tree: None) -> Mailbox:
    return Mailbox.objects.get(slug="12389")


@pytest.fixture
def gd_inquiries_in_5_working_days(gd_mailbox: Mailbox) -> TimeLimitPolicy:
    policy = TimeLimitPolicy(
        mailbox=gd_mailbox,
        letter_type=LetterType.INQUIRY,
        step=Step.REPLY,
        days=5,
        day_kind=DayKind.WORKING,
        note="咨询类信件5个工作日内答复",
    )
    policy.full_clean()
    policy.save()
    return policy
