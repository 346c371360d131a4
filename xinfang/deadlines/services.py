"""Loading the official holiday arrangement, year by year.

Two sources: the ``chinesecalendar`` package (2004 to the last year it knows) and a small text file
for a year the package does not know yet. Both replace the years they load in one transaction.

File format (UTF-8, one day per line; blank lines and lines starting with ``#`` are ignored)::

    2027-01-01,holiday,元旦
    2027-02-07,workday,春节调休上班

``holiday`` is a rest day of the official arrangement (a weekend day inside a holiday period may be
listed too); ``workday`` is a Saturday or Sunday worked in exchange. Ordinary weekends are not listed.
The file must hold every such day of each year it mentions: loading it replaces those years.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from chinese_calendar.constants import Holiday as Festival
from chinese_calendar.constants import holidays as official_rest_days
from chinese_calendar.constants import workdays as official_working_weekends
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.deadlines import signals
from xinfang.deadlines.calendar import holidays_changed
from xinfang.deadlines.models import Holiday, HolidayYear
from xinfang.errors import Refused

FILE_KINDS = {"holiday": False, "workday": True}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NAME_MAX = Holiday._meta.get_field("name").max_length or 60


class HolidayDataError(Refused):
    """Holiday data that cannot be loaded; the message is for the administrator."""


@dataclass(frozen=True)
class HolidayRow:
    date: datetime.date
    is_working_day: bool
    name: str


@dataclass(frozen=True)
class LoadedYear:
    year: int
    rest_days: int
    working_weekends: int
    replaced: bool
    recomputed: int  # letters whose provisional due dates changed with it


def chinese_calendar_years() -> list[int]:
    """The years the installed ``chinesecalendar`` package knows."""
    return sorted({day.year for day in official_rest_days})


def _chinese_calendar_rows(year: int) -> list[HolidayRow]:
    rest = [HolidayRow(day, False, Festival(name).chinese) for day, name in official_rest_days.items()]
    work = [
        HolidayRow(day, True, Festival(name).chinese + "调休上班") for day, name in official_working_weekends.items()
    ]
    return [row for row in rest + work if row.date.year == year]


def holidays_load_from_chinese_calendar(*, years: Iterable[int] | None = None, actor: User | None) -> list[LoadedYear]:
    """Load ``years`` (default: every year the package knows) from ``chinesecalendar``."""
    known = chinese_calendar_years()
    wanted = sorted(set(years)) if years is not None else known
    unknown = [year for year in wanted if year not in known]
    if unknown:
        raise HolidayDataError(
            _("chinesecalendar 没有 %(years)s 年的数据（它包含 %(first)d–%(last)d 年），请用 --file 导入。")
            % {"years": "、".join(map(str, unknown)), "first": known[0], "last": known[-1]}
        )
    rows = {year: _chinese_calendar_rows(year) for year in wanted}
    return _replace_years(rows, source=f"chinesecalendar {version('chinesecalendar')}", actor=actor)


def holidays_load_file(*, path: Path, actor: User | None) -> list[LoadedYear]:
    """Load the years a holiday file holds; every line is checked before anything is written."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HolidayDataError(_("%(file)s 不是 UTF-8 编码的文本文件。") % {"file": path.name}) from exc
    except OSError as exc:
        raise HolidayDataError(_("无法读取 %(file)s：%(error)s") % {"file": path, "error": exc.strerror}) from exc
    return _replace_years(parse_holiday_file(text), source=_("文件 %(file)s") % {"file": path.name}, actor=actor)


def parse_holiday_file(text: str) -> dict[int, list[HolidayRow]]:
    """The rows of a holiday file by year; raises ``HolidayDataError`` naming the first bad line."""
    by_year: dict[int, list[HolidayRow]] = {}
    seen: set[datetime.date] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = _parse_line(line, seen)
        except ValueError as exc:
            raise HolidayDataError(
                _("第 %(number)d 行有误：%(problem)s（%(line)s）。整个文件都没有导入。")
                % {"number": number, "problem": exc, "line": line.strip()}
            ) from exc
        seen.add(row.date)
        by_year.setdefault(row.date.year, []).append(row)
    if not by_year:
        raise HolidayDataError(_("文件中没有任何日期。"))
    return by_year


def _parse_line(line: str, seen: set[datetime.date]) -> HolidayRow:
    fields = [value.strip() for value in next(csv.reader(io.StringIO(line)))]
    if len(fields) != 3:
        raise ValueError(_("应有三项，用英文逗号分隔：日期,holiday或workday,名称"))
    text_date, kind, name = fields
    if not _ISO_DATE.fullmatch(text_date):
        raise ValueError(_("日期应写成 YYYY-MM-DD"))
    try:
        day = datetime.date.fromisoformat(text_date)
    except ValueError:
        raise ValueError(_("没有这一天")) from None
    if kind not in FILE_KINDS:
        raise ValueError(_("第二项应为 holiday（放假）或 workday（调休上班）"))
    if FILE_KINDS[kind] and day.weekday() < 5:
        raise ValueError(_("调休上班日必须是星期六或星期日"))
    if not name or len(name) > _NAME_MAX:
        raise ValueError(_("名称不能为空，且不超过 %(max)d 个字") % {"max": _NAME_MAX})
    if day in seen:
        raise ValueError(_("日期重复"))
    return HolidayRow(day, FILE_KINDS[kind], name)


def _replace_years(rows: dict[int, list[HolidayRow]], *, source: str, actor: User | None) -> list[LoadedYear]:
    """Replace each year's rows and mark it official, all or nothing."""
    loaded: list[LoadedYear] = []
    with transaction.atomic():
        for year, year_rows in sorted(rows.items()):
            Holiday.objects.filter(date__year=year).delete()
            Holiday.objects.bulk_create(
                Holiday(date=r.date, is_working_day=r.is_working_day, name=r.name) for r in year_rows
            )
            _, created = HolidayYear.objects.update_or_create(
                year=year, defaults={"source": source, "loaded_at": timezone.now(), "loaded_by": actor}
            )
            holidays_changed()
            working = sum(r.is_working_day for r in year_rows)
            recomputed = holiday_year_changed(year=year)
            loaded.append(LoadedYear(year, len(year_rows) - working, working, not created, recomputed))
    return loaded


def holiday_year_changed(*, year: int) -> int:
    """A year's holidays were loaded or edited: what depends on them follows (``signals``).

    Returns how many letters' provisional due dates changed."""
    counts: list[object] = [count for _receiver, count in signals.holiday_year_changed.send(HolidayYear, year=year)]
    return sum(count for count in counts if isinstance(count, int))
