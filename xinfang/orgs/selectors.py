"""Reads of the unit tree and mailboxes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from xinfang.orgs.choices import UnitKind, UnitLevel
from xinfang.orgs.models import Mailbox, Unit
from xinfang.table_cache import KeyedCache


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


def bureau_above(bureau: Unit, levels: int) -> Unit:
    """The bureau ``levels`` steps up the tree from ``bureau``, stopping at the Ministry.

    "Above" is the parent in the tree, not the next ``UnitLevel``: a Beijing district's parent is
    the Beijing municipal bureau, Xiantao's is the Hubei department.
    """
    depth = max(1, bureau.depth - levels)
    return _by_path.get(bureau.path[: Unit.steplen * depth])


def bureau_of(unit: Unit) -> Unit:
    """``unit.bureau`` without a query for a department's bureau (kept per process, like the tree)."""
    return unit_by_id(unit.bureau_of_department_id) if unit.bureau_of_department_id else unit


def unit_by_id(pk: int) -> Unit:
    """The unit with this id, from the per-process copy (a mailbox's owner, a department's bureau)."""
    return _by_pk.get(pk)


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
    """Active units (bureaus, departments, stations) whose name or code matches ``query``, optionally
    under ``within``: the desk's unit picker."""
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
    directly under Beijing, and a city without counties (Dongguan) offers its towns and streets.
    Kept per process (``xinfang.table_cache``): every write form asks.
    """
    return _place_children.get(parent.pk if parent is not None else None)


def _load_place_children(parent_pk: int | None) -> list[Unit]:
    if parent_pk is None:
        return list(
            Unit.objects.filter(level=UnitLevel.PROVINCE, kind=UnitKind.BUREAU, is_active=True).order_by("code")
        )
    parent = Unit.objects.get(pk=parent_pk)
    return list(
        Unit.objects.filter(
            path__startswith=parent.path, depth=parent.depth + 1, kind=UnitKind.BUREAU, is_active=True
        ).order_by("code")
    )


def active_bureau_by_code(code: str) -> Unit | None:
    """The active bureau with this unit code (a division code, or XPCC), if any.

    Found bureaus are kept per process; a code that names none is asked again each time, so that
    typed codes cannot grow the cache."""
    if not code:
        return None
    try:
        return _active_bureau.get(code)
    except Unit.DoesNotExist:
        return None


def _load_active_bureau(code: str) -> Unit:
    return Unit.objects.get(code=code, kind=UnitKind.BUREAU, is_active=True)


def bureau_chain(unit: Unit) -> list[Unit]:
    """The bureaus from the provincial organ down to ``unit``'s bureau (empty for the Ministry; kept per process)."""
    return _bureau_chain.get(bureau_of(unit).pk)


def _load_bureau_chain(bureau_pk: int) -> list[Unit]:
    bureau = Unit.objects.get(pk=bureau_pk)
    paths = [bureau.path[: Unit.steplen * depth] for depth in range(2, bureau.depth + 1)]
    return list(Unit.objects.filter(path__in=paths).order_by("depth"))


_place_children: KeyedCache[int | None, list[Unit]] = KeyedCache(_load_place_children, watch=(Unit,))
_active_bureau: KeyedCache[str, Unit] = KeyedCache(_load_active_bureau, watch=(Unit,))
_bureau_chain: KeyedCache[int, list[Unit]] = KeyedCache(_load_bureau_chain, watch=(Unit,))


# ---------------------------------------------------------------- unit ids, for letter queries
#
# Letter queries select units by id lists taken from the tree, never by joining ``orgs_unit`` once
# per letter column and filtering on ``path LIKE``: with id lists the planner uses the letter's
# (unit, state, due) indexes, and a query joins a handful of tables instead of a dozen
# (docs/benchmarks.md: planning alone took 80-110 ms at 1,000,000 letters). The tree changes
# rarely; the lists are kept per process (xinfang.table_cache) and forgotten on any unit change.


def _ids_under(pk: int) -> list[int] | None:
    unit = Unit.objects.get(pk=pk)
    if unit.depth == 1:
        return None
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def _bureau_ids(pk: int) -> list[int]:
    return [pk, *Unit.objects.filter(bureau_of_department_id=pk).values_list("pk", flat=True)]


def _bureaus_over_ids(pk: int) -> list[int]:
    unit = Unit.objects.get(pk=pk)
    ancestors = [unit.path[:end] for end in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    over = Unit.objects.filter(path__in=ancestors).values("pk")
    stations = Q()  # the stations right under a bureau on the path: their floor is that bureau
    for path in ancestors:
        stations |= Q(path__startswith=path, depth=len(path) // Unit.steplen + 1)
    rows = Unit.objects.filter(
        Q(pk__in=over) | Q(bureau_of_department__in=over) | (Q(kind=UnitKind.STATION) & stations)
    )
    return list(rows.values_list("pk", flat=True))


_under: KeyedCache[int, list[int] | None] = KeyedCache(_ids_under, watch=(Unit,))
_bureau: KeyedCache[int, list[int]] = KeyedCache(_bureau_ids, watch=(Unit,))
_over: KeyedCache[int, list[int]] = KeyedCache(_bureaus_over_ids, watch=(Unit,))


def unit_ids_under(unit: Unit) -> list[int] | None:
    """Ids of ``unit`` and every unit under it; None for the Ministry (the whole tree)."""
    return _under.get(unit.pk)


def bureau_unit_ids(bureau: Unit) -> list[int]:
    """Ids of ``bureau`` and its police-type departments."""
    return _bureau.get(bureau.pk)


def bureaus_over_ids(unit: Unit) -> list[int]:
    """Ids of the units on the path from the Ministry down to ``unit`` (itself included), with
    the departments and stations of each: a letter accusing any of them is hidden from ``unit``'s staff."""
    return _over.get(unit.pk)


def in_units(field: str, ids: list[int] | None) -> Q:
    """``field`` is one of the units ``ids`` (None, from :func:`unit_ids_under`: any unit)."""
    return Q(**{f"{field}__isnull": False}) if ids is None else Q(**{f"{field}_id__any_of": ids})


def _department(key: tuple[int, str]) -> Unit | None:
    bureau_pk, police_type = key
    return Unit.objects.filter(bureau_of_department_id=bureau_pk, police_type=police_type).first()


_departments: KeyedCache[tuple[int, str], Unit | None] = KeyedCache(_department, watch=(Unit,))
_by_path: KeyedCache[str, Unit] = KeyedCache(lambda path: Unit.objects.get(path=path), watch=(Unit,))
_by_pk: KeyedCache[int, Unit] = KeyedCache(lambda pk: Unit.objects.get(pk=pk), watch=(Unit,))


def department_of(bureau: Unit, police_type: str) -> Unit | None:
    """The police-type department of ``bureau`` if it has one (kept per process: routing asks often)."""
    return _departments.get((bureau.pk, police_type))
