from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from xinfang.deadlines.models import Holiday, HolidayYear
from xinfang.deadlines.services import HolidayDataError, holidays_load_file, holidays_load_from_chinese_calendar

D = dt.date


@pytest.fixture
def recomputed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Years for which the command asked the letters app to recompute provisional due dates."""
    years: list[int] = []

    def recompute(*, year: int) -> int:
        years.append(year)
        return 3

    monkeypatch.setattr("xinfang.letters.receivers.letters_recompute_provisional_due_dates", recompute)
    return years


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_migration_loaded_every_year_the_package_knows() -> None:
    assert list(HolidayYear.objects.order_by("year").values_list("year", flat=True)) == list(range(2004, 2027))
    assert Holiday.objects.get(date=D(2026, 2, 17)).name == "春节"
    assert Holiday.objects.get(date=D(2026, 9, 20)).is_working_day
    assert Holiday.objects.get(date=D(2026, 9, 20)).name == "国庆节调休上班"
    # Ordinary weekends are not stored.
    assert not Holiday.objects.filter(date=D(2026, 3, 7)).exists()


def test_a_file_loads_a_new_year(year_2027_file: Path) -> None:
    [loaded] = holidays_load_file(path=year_2027_file, actor=None)
    assert (loaded.year, loaded.rest_days, loaded.working_weekends, loaded.replaced) == (2027, 10, 1, False)
    assert HolidayYear.objects.get(year=2027).source == "文件 2027.csv"
    assert Holiday.objects.get(date=D(2027, 2, 20)).is_working_day


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        ("2027-02-30,holiday,春节", "没有这一天"),
        ("2027/02/08,holiday,春节", "YYYY-MM-DD"),
        ("2027-02-08,rest,春节", "holiday"),
        ("2027-02-08,holiday", "三项"),
        ("2027-02-08,holiday,", "名称"),
        ("2027-02-09,workday,春节调休上班", "星期六或星期日"),
        ("2027-01-01,holiday,元旦", "日期重复"),
    ],
)
def test_one_bad_line_refuses_the_whole_file(tmp_path: Path, bad_line: str, problem: str) -> None:
    path = write(tmp_path, f"2027-01-01,holiday,元旦\n\n2027-02-20,workday,春节调休上班\n{bad_line}\n")
    with pytest.raises(HolidayDataError) as refused:
        holidays_load_file(path=path, actor=None)
    assert "第 4 行" in str(refused.value)
    assert problem in str(refused.value)
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert not Holiday.objects.filter(date__year=2027).exists()


def test_the_refusal_names_the_line_in_english(tmp_path: Path) -> None:
    path = write(tmp_path, "# 2027\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n")
    with translation.override("en"), pytest.raises(HolidayDataError) as refused:
        holidays_load_file(path=path, actor=None)
    assert str(refused.value).startswith("Line 3:")
    assert "2027-02-30,holiday,春节" in str(refused.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("2027-01-01,holiday,元旦\n".encode("gbk"))
    with pytest.raises(HolidayDataError, match="UTF-8"):
        holidays_load_file(path=path, actor=None)


def test_a_file_replaces_what_was_loaded_for_its_year(tmp_path: Path) -> None:
    [loaded] = holidays_load_file(path=write(tmp_path, "2026-01-01,holiday,元旦\n"), actor=None)
    assert loaded.replaced
    assert list(Holiday.objects.filter(date__year=2026).values_list("date", flat=True)) == [D(2026, 1, 1)]


def test_the_package_cannot_load_a_year_it_does_not_know() -> None:
    with pytest.raises(HolidayDataError, match="2027"):
        holidays_load_from_chinese_calendar(years=[2026, 2027], actor=None)
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_the_package_reloads_a_year() -> None:
    Holiday.objects.filter(date__year=2026).delete()
    [loaded] = holidays_load_from_chinese_calendar(years=[2026], actor=None)
    assert (loaded.rest_days, loaded.working_weekends, loaded.replaced) == (33, 6, True)
    assert Holiday.objects.filter(date__year=2026).count() == 39


def test_the_command_loads_a_file_and_recomputes_that_year(year_2027_file: Path, recomputed: list[int]) -> None:
    out = StringIO()
    call_command("load_holidays", file=year_2027_file, stdout=out)
    assert HolidayYear.objects.filter(year=2027).exists()
    assert recomputed == [2027]
    assert "2027 年：已导入，10 个放假日，1 个调休上班日" in out.getvalue()
    assert "2027 年：重新计算了 3 封信件的期限" in out.getvalue()


def test_the_command_refuses_a_bad_file_and_recomputes_nothing(tmp_path: Path, recomputed: list[int]) -> None:
    path = write(tmp_path, "2027-01-01,holiday,元旦\n2027-13-01,holiday,春节\n")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("load_holidays", file=path)
    assert recomputed == []
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_the_command_loads_from_the_package_by_default(recomputed: list[int]) -> None:
    out = StringIO()
    call_command("load_holidays", stdout=out)
    assert recomputed == list(range(2004, 2027))
    assert "2026 年：已替换，33 个放假日，6 个调休上班日" in out.getvalue()


def test_the_command_loads_chosen_years_from_the_package(recomputed: list[int]) -> None:
    call_command("load_holidays", years=[2025, 2026], stdout=StringIO())
    assert recomputed == [2025, 2026]
