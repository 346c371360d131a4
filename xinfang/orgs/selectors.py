"""Reads of the unit tree and mailboxes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from xinfang.orgs.choices import UnitKind, UnitLevel
from xinfang.orgs.models import Mailbox, Unit


@dataclass(frozen=True)
class ProvinceMailboxes:
    province: Unit
    mailboxes: list[Mailbox]


def province_of(unit: Unit) -> Unit | None:
    """The provincial organ a unit lies in (None for the Ministry)."""
    if unit.level == UnitLevel.MINISTRY:
        return None
    depth = 2  # the Ministry is depth 1, provincial organs depth 2
    return Unit.objects.get(path=unit.path[: Unit.steplen * depth])


def mailboxes_by_province() -> tuple[list[Mailbox], list[ProvinceMailboxes]]:
    """National mailboxes, then each province's mailboxes (its own first, then its cities')."""
    mailboxes = list(Mailbox.objects.filter(is_active=True).select_related("owner").order_by("owner__path"))
    national = [m for m in mailboxes if m.is_national]
    provinces = {u.path: u for u in Unit.objects.filter(level=UnitLevel.PROVINCE, kind=UnitKind.BUREAU)}
    grouped: dict[str, list[Mailbox]] = {}
    for mailbox in mailboxes:
        if mailbox.is_national:
            continue
        key = mailbox.owner.path[: Unit.steplen * 2]
        grouped.setdefault(key, []).append(mailbox)
    result = [ProvinceMailboxes(provinces[key], boxes) for key, boxes in grouped.items() if key in provinces]
    result.sort(key=lambda p: p.province.code)
    return national, result


def units_under(unit: Unit, *, include_self: bool = True) -> QuerySet[Unit]:
    """Every unit in the subtree of ``unit`` (one indexed prefix query)."""
    qs = Unit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)


def bureau_for_division(division_code: str) -> Unit | None:
    """The active bureau whose jurisdiction has exactly this division code."""
    return Unit.objects.filter(kind=UnitKind.BUREAU, division_code=division_code, is_active=True).first()


def bureau_above(bureau: Unit, levels: int) -> Unit:
    """The bureau ``levels`` steps up the tree from ``bureau``, stopping at the Ministry.

    "Above" is the parent in the tree, not the next ``UnitLevel``: a Beijing district's parent is
    the Beijing municipal bureau, Xiantao's is the Hubei department.
    """
    depth = max(1, bureau.depth - levels)
    return Unit.objects.get(path=bureau.path[: Unit.steplen * depth])
