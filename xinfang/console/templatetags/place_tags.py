"""``{{ letter.division_code|place_name }}``: where a letter happened, named, not coded."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from xinfang.orgs.choices import UnitKind
from xinfang.orgs.models import Unit

register = template.Library()

PROVINCE_DEPTH = 2  # the Ministry is the root (depth 1), provincial organs are its children


@register.filter
def place_name(division_code: str) -> str:
    """ "广东省广州市天河区" ("Tianhe District, Guangzhou City, Guangdong Province") for ``440106``;
    the code itself when no bureau has it."""
    place = Unit.objects.filter(division_code=division_code, kind=UnitKind.BUREAU).first() if division_code else None
    if place is None:
        return division_code
    paths = [place.path[: Unit.steplen * depth] for depth in range(PROVINCE_DEPTH, place.depth + 1)]
    levels = Unit.objects.filter(path__in=paths, kind=UnitKind.BUREAU).order_by("depth")
    names = [unit.division_display for unit in levels if unit.division_display]
    if (get_language() or "").startswith("en"):
        return ", ".join(reversed(names))
    return "".join(names)
