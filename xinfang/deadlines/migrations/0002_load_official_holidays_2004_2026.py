"""Load the official holiday arrangement of 2004-2026 from the chinesecalendar package.

Written out here rather than calling ``xinfang.deadlines.services`` so that the migration keeps
working with the historical models whatever the services become.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from chinese_calendar.constants import Holiday as Festival
from chinese_calendar.constants import holidays, workdays
from django.db import migrations
from django.utils import timezone

YEARS = range(2004, 2027)


def load(apps: Any, schema_editor: Any) -> None:
    Holiday = apps.get_model("deadlines", "Holiday")
    HolidayYear = apps.get_model("deadlines", "HolidayYear")
    rows = [
        Holiday(date=d, is_working_day=False, name=Festival(n).chinese) for d, n in holidays.items() if d.year in YEARS
    ]
    rows += [
        Holiday(date=d, is_working_day=True, name=Festival(n).chinese + "调休上班")
        for d, n in workdays.items()
        if d.year in YEARS
    ]
    Holiday.objects.bulk_create(rows)
    source = f"chinesecalendar {version('chinesecalendar')}"
    now = timezone.now()
    HolidayYear.objects.bulk_create([HolidayYear(year=year, source=source, loaded_at=now) for year in YEARS])


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("deadlines", "Holiday").objects.filter(date__year__gte=YEARS[0], date__year__lte=YEARS[-1]).delete()
    apps.get_model("deadlines", "HolidayYear").objects.filter(year__in=YEARS).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_holiday_calendar_and_time_limit_policy")]

    operations = [migrations.RunPython(load, unload)]
