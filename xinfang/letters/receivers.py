"""Letters follow the unit tree and the holiday calendar: what ``orgs.signals`` and
``deadlines.signals`` announce, the letters app acts on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.letters.selectors import open_letters_handled_by
from xinfang.letters.services import letters_follow_merged_unit, letters_recompute_provisional_due_dates
from xinfang.orgs.models import Unit


def on_unit_merged(sender: object, *, mapping: Mapping[int, Unit], actor: User, reason: str, **kwargs: Any) -> None:
    letters_follow_merged_unit(mapping=mapping, actor=actor, reason=reason)


def on_unit_retiring(sender: object, *, unit: Unit, **kwargs: Any) -> str:
    if open_letters_handled_by(unit).exists():
        return _("该单位仍有未办结的信件，请改用合并。")
    return ""


def on_holiday_year_changed(sender: object, *, year: int, **kwargs: Any) -> int:
    return letters_recompute_provisional_due_dates(year=year)
