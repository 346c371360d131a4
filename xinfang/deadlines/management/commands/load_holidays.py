"""Load the official holiday arrangement and recompute the deadlines that waited for it."""

from __future__ import annotations

from argparse import ArgumentParser, RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xinfang.deadlines.services import (
    HolidayDataError,
    LoadedYear,
    holidays_load_file,
    holidays_load_from_chinese_calendar,
)


class Command(BaseCommand):
    help = """Load the official holidays and adjusted working weekends (调休上班) of one or more years.

Without --file: from the installed chinesecalendar package (every year it knows, or --years).
With --file F: from a UTF-8 text file, one day per line, "date,kind,name":

    # blank lines and lines starting with # are ignored
    2027-01-01,holiday,元旦
    2027-02-07,workday,春节调休上班

kind is "holiday" (a rest day of the arrangement) or "workday" (a Saturday or Sunday worked in
exchange). Ordinary weekends are not listed. Every line is checked first: one bad line refuses the
whole file and nothing is loaded. Each year in the file replaces what was loaded for it before.

After loading, deadlines computed provisionally for those years are recomputed."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the example lines of the help as written.
        return super().create_parser(prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", type=Path, help="a holiday file (format above)")
        source.add_argument("--years", type=int, nargs="+", help="years to load from chinesecalendar")

    def handle(self, *args: Any, file: Path | None, years: list[int] | None, **options: Any) -> None:
        try:
            if file is not None:
                loaded = holidays_load_file(path=file, actor=None)
            else:
                loaded = holidays_load_from_chinese_calendar(years=years, actor=None)
        except HolidayDataError as exc:
            raise CommandError(str(exc)) from exc
        for year in loaded:
            self.stdout.write(self._summary(year))
            counts = {"year": year.year, "count": year.recomputed}
            self.stdout.write(_("%(year)d 年：重新计算了 %(count)d 封信件的期限") % counts)

    def _summary(self, year: LoadedYear) -> str:
        values = {"year": year.year, "rest": year.rest_days, "work": year.working_weekends}
        if year.replaced:
            return _("%(year)d 年：已替换，%(rest)d 个放假日，%(work)d 个调休上班日") % values
        return _("%(year)d 年：已导入，%(rest)d 个放假日，%(work)d 个调休上班日") % values
