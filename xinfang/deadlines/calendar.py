"""Counting days on the official Chinese working calendar.

Rules (docs/time-limits.md):
- The start day is not counted (期间开始之日不计算在期间内): ``n`` days from the 2nd end on the 2nd + n.
- A calendar-day limit whose last day is a rest day ends on the next working day.
- A working-day limit counts ``n`` working days after the start, adjusted working weekends included.
- A year without a ``HolidayYear`` row counts weekends only, and any result that looked at a day of
  such a year is ``provisional``: it is recomputed once the year's official arrangement is loaded.

Each process caches the official years it has read. Any change to ``Holiday`` or ``HolidayYear``
empties the cache and turns it off until that change commits, so a year read inside a transaction
that later rolls back is never kept. Years without official data are never cached, so a year loaded
by another process counts at once; a correction to an already loaded year reaches other processes
within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from xinfang.deadlines.law import DayKind
from xinfang.deadlines.models import Holiday, HolidayYear

CACHE_SECONDS = 600
_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Due:
    """The last day of a time limit; ``provisional`` when it depends on a year not loaded yet."""

    date: datetime.date
    provisional: bool


@dataclass(frozen=True)
class _Year:
    official: bool
    rest_days: frozenset[datetime.date]
    working_weekends: frozenset[datetime.date]
    read_at: float

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.working_weekends:
            return True
        if day in self.rest_days:
            return False
        return day.weekday() < 5


@dataclass
class _CacheState:
    years: dict[int, _Year] = field(default_factory=dict)
    # Changes made in transactions that have not committed; while any is pending nothing is cached.
    pending_changes: int = 0


_cache = _CacheState()


def _clock() -> float:
    return time.monotonic()


def _read_year(year: int) -> _Year:
    if not HolidayYear.objects.filter(year=year).exists():
        return _Year(official=False, rest_days=frozenset(), working_weekends=frozenset(), read_at=_clock())
    rows = list(Holiday.objects.filter(date__year=year).values_list("date", "is_working_day"))
    return _Year(
        official=True,
        rest_days=frozenset(day for day, working in rows if not working),
        working_weekends=frozenset(day for day, working in rows if working),
        read_at=_clock(),
    )


def _year(year: int) -> _Year:
    cached = _cache.years.get(year)
    if cached is not None and _clock() - cached.read_at < CACHE_SECONDS:
        return cached
    fresh = _read_year(year)
    if _cache.pending_changes == 0:  # a year without official data too: loading one clears the cache
        _cache.years[year] = fresh
    return fresh


def holidays_changed() -> None:
    """Forget the cached years after ``Holiday`` or ``HolidayYear`` rows change.

    Called by the signals below and by loaders that write with ``bulk_create`` (which sends none).
    The cache stays off until the change commits; after a rollback it stays off for this process,
    which is slower but never wrong.
    """
    _cache.years.clear()
    _cache.pending_changes += 1

    def settle() -> None:
        _cache.pending_changes -= 1
        _cache.years.clear()

    transaction.on_commit(settle)


def forget_cached_years() -> None:
    """Reset the cache, for tests and after the tables changed behind Django's back (raw SQL, flush)."""
    _cache.years.clear()
    _cache.pending_changes = 0


@receiver([post_save, post_delete], sender=Holiday)
@receiver([post_save, post_delete], sender=HolidayYear)
def _on_holiday_rows_changed(sender: type[Any], **kwargs: Any) -> None:
    holidays_changed()


class _Walk:
    """Answers "is this a working day?" for one computation and remembers which years it used."""

    def __init__(self) -> None:
        self.years: dict[int, _Year] = {}

    def is_working_day(self, day: datetime.date) -> bool:
        if day.year not in self.years:
            self.years[day.year] = _year(day.year)
        return self.years[day.year].is_working_day(day)

    def due(self, day: datetime.date) -> Due:
        return Due(date=day, provisional=not all(year.official for year in self.years.values()))


def is_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is a working day (weekends only, for a year without official data)."""
    return _year(day.year).is_working_day(day)


def add_calendar_days(start: datetime.date, n: int) -> Due:
    """``start`` + ``n`` days, moved forward to the next working day if that day is a rest day."""
    if n < 0:
        raise ValueError(n)
    walk = _Walk()
    day = start + datetime.timedelta(days=n)
    while not walk.is_working_day(day):
        day += _ONE_DAY
    return walk.due(day)


def add_working_days(start: datetime.date, n: int) -> Due:
    """The ``n``-th working day after ``start`` (``start`` itself is never counted)."""
    if n < 0:
        raise ValueError(n)
    walk = _Walk()
    day, counted = start, 0
    while counted < n:
        day += _ONE_DAY
        if walk.is_working_day(day):
            counted += 1
    return walk.due(day)


def add_days(start: datetime.date, n: int, day_kind: str) -> Due:
    if day_kind == DayKind.WORKING:
        return add_working_days(start, n)
    return add_calendar_days(start, n)
