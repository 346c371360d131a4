"""Import police stations (派出所) from a CSV file under their county-level bureaus: all rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.orgs.services import StationImportError, UnitChangeError, stations_import


class Command(BaseCommand):
    help = (
        "Import police stations from a UTF-8 CSV file with the header bureau,name,name_en,code "
        "(bureau: a county-level bureau's code or full name; name_en and code may be empty). "
        "Every row is checked first; if any is wrong, nothing is imported and each error is listed by line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--within", default="", help="only bureaus under this unit code (e.g. 440100)")
        parser.add_argument("--actor", default="", help="username recorded on each UnitChange row")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = options["file"].read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {options['file']}: {error}") from error
        within = Unit.objects.filter(code=options["within"]).first() if options["within"] else None
        if options["within"] and within is None:
            raise CommandError(f"no unit with code {options['within']}")
        actor = User.objects.filter(username=options["actor"]).first() if options["actor"] else None
        if options["actor"] and actor is None:
            raise CommandError(f"no user {options['actor']}")
        try:
            stations = stations_import(text=text, actor=actor, within=within)
        except StationImportError as error:
            for line, message in error.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError(str(error)) from error
        except UnitChangeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"stations imported: {len(stations)}")
