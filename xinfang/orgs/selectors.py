"""Reads of the unit tree and mailboxes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

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


def divisions_matching(query: str, *, limit: int = 15) -> list[Unit]:
    """Bureaus whose division matches ``query`` (a GB/T 2260 code prefix, or part of a name): the place picker."""
    query = query.strip()
    if not query:
        return []
    bureaus = Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).exclude(division_code="")
    if query.isdigit():
        bureaus = bureaus.filter(division_code__startswith=query)
    else:
        bureaus = bureaus.filter(Q(division_name__icontains=query) | Q(division_name_en__icontains=query))
    return list(bureaus.order_by("depth", "path")[:limit])


def units_matching(query: str, *, within: Unit | None = None, limit: int = 15) -> list[Unit]:
    """Active units (bureaus and departments) whose name or code matches ``query``, optionally under ``within``."""
    query = query.strip()
    if not query:
        return []
    units = Unit.objects.filter(is_active=True).filter(
        Q(name__icontains=query) | Q(name_en__icontains=query) | Q(code__istartswith=query)
    )
    if within is not None:
        units = units.filter(path__startswith=within.path)
    return list(units.order_by("depth", "path")[:limit])


# ---------------------------------------------------------------- place pickers (portal)


def place_children(parent: Unit | None) -> list[Unit]:
    """The active bureaus directly under ``parent`` (the provincial organs when None), by code.

    These are the places a citizen picks from: province → city → county. Beijing's districts sit
    directly under Beijing, and a city without districts (Dongguan) has no children.
    """
    if parent is None:
        return list(
            Unit.objects.filter(level=UnitLevel.PROVINCE, kind=UnitKind.BUREAU, is_active=True).order_by("code")
        )
    return list(
        Unit.objects.filter(
            path__startswith=parent.path, depth=parent.depth + 1, kind=UnitKind.BUREAU, is_active=True
        ).order_by("code")
    )


def active_bureau_by_code(code: str) -> Unit | None:
    """The active bureau with this unit code (a division code, or XPCC), if any."""
    return Unit.objects.filter(code=code, kind=UnitKind.BUREAU, is_active=True).first() if code else None


def bureau_chain(unit: Unit) -> list[Unit]:
    """The bureaus from the provincial organ down to ``unit``'s bureau (empty for the Ministry)."""
    bureau = unit.bureau
    paths = [bureau.path[: Unit.steplen * depth] for depth in range(2, bureau.depth + 1)]
    return list(Unit.objects.filter(path__in=paths).order_by("depth"))
