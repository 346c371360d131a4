from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xinfang.deadlines import calendar
from xinfang.deadlines.calendar import Due, add_calendar_days, add_working_days, is_working_day
from xinfang.deadlines.models import Holiday, HolidayYear

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 9, 20), True),  # Sunday worked before Mid-Autumn and National Day
        (D(2026, 1, 4), True),  # Sunday worked after New Year
        (D(2026, 2, 14), True),  # Saturday worked before Spring Festival
        (D(2026, 2, 16), False),  # Spring Festival, a Monday
        (D(2026, 10, 5), False),  # National Day, a Monday
        (D(2026, 3, 7), False),  # an ordinary Saturday
        (D(2026, 3, 9), True),  # an ordinary Monday
        (D(2004, 10, 4), False),  # National Day of the first year the package knows
    ],
)
def test_is_working_day_follows_the_official_arrangement(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_a_year_without_official_data_counts_weekends_only() -> None:
    assert is_working_day(D(2027, 1, 1))  # a Friday: New Year's Day is not known yet
    assert not is_working_day(D(2027, 1, 2))
    assert add_calendar_days(D(2027, 1, 1), 1) == Due(D(2027, 1, 4), provisional=True)


def test_a_result_is_final_when_it_only_looks_at_official_years() -> None:
    assert add_working_days(D(2026, 12, 28), 3) == Due(D(2026, 12, 31), provisional=False)
    assert add_working_days(D(2026, 12, 28), 4) == Due(D(2027, 1, 1), provisional=True)


def test_the_start_day_is_never_counted() -> None:
    assert add_calendar_days(D(2026, 3, 2), 1) == Due(D(2026, 3, 3), provisional=False)
    assert add_working_days(D(2026, 3, 6), 1) == Due(D(2026, 3, 9), provisional=False)


def test_zero_days_still_moves_off_a_rest_day() -> None:
    assert add_calendar_days(D(2026, 10, 2), 0) == Due(D(2026, 10, 8), provisional=False)


def test_it_refuses_a_negative_number_of_days() -> None:
    with pytest.raises(ValueError):
        add_calendar_days(D(2026, 3, 2), -1)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 2), -1)


def test_a_holiday_added_by_an_administrator_counts_at_once() -> None:
    assert add_calendar_days(D(2026, 3, 2), 15).date == D(2026, 3, 17)
    Holiday.objects.create(date=D(2026, 3, 17), name="临时休息日")
    assert not is_working_day(D(2026, 3, 17))
    assert add_calendar_days(D(2026, 3, 2), 15).date == D(2026, 3, 18)


def test_removing_a_years_record_makes_it_provisional_again() -> None:
    assert not add_calendar_days(D(2026, 9, 16), 15).provisional
    HolidayYear.objects.filter(year=2026).delete()
    assert add_calendar_days(D(2026, 9, 16), 15) == Due(D(2026, 10, 1), provisional=True)


def test_an_official_year_is_read_once_then_served_from_the_cache(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        assert not is_working_day(D(2026, 10, 5))
    with django_assert_num_queries(0):
        assert add_calendar_days(D(2026, 9, 16), 15) == Due(D(2026, 10, 8), provisional=False)


def test_the_cache_expires(django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    is_working_day(D(2026, 10, 5))
    now = calendar._clock()
    monkeypatch.setattr(calendar, "_clock", lambda: now + calendar.CACHE_SECONDS + 1)
    with django_assert_num_queries(2):
        is_working_day(D(2026, 10, 5))


def test_a_year_without_official_data_is_remembered_until_the_year_is_loaded(
    django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_assert_num_queries(1):
        assert is_working_day(D(2027, 1, 1))  # a Friday; no official data yet
    with django_assert_num_queries(0):
        assert is_working_day(D(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        HolidayYear.objects.create(year=2027, source="test")
        Holiday.objects.create(date=D(2027, 1, 1), name="元旦")
    assert not is_working_day(D(2027, 1, 1))


def test_the_cache_stays_off_while_a_holiday_change_is_uncommitted(django_assert_num_queries: Any) -> None:
    # Inside the test's transaction the change never commits: a cached copy could outlive a rollback.
    Holiday.objects.create(date=D(2026, 3, 17), name="临时休息日")
    is_working_day(D(2026, 3, 17))
    with django_assert_num_queries(2):
        assert not is_working_day(D(2026, 3, 17))


def test_the_cache_comes_back_once_the_change_commits(
    django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Holiday.objects.create(date=D(2026, 3, 17), name="临时休息日")
    is_working_day(D(2026, 3, 17))
    with django_assert_num_queries(0):
        assert not is_working_day(D(2026, 3, 17))
