"""Reads of the statistics: figures for a unit and its subtree by period, grouped by a slice or by
region, the assessment of subordinate units, hotspots and the drill-down to letters.

Pages read the rollups only (``models.SubtreeRollup``, a unit's figures with everything under it:
whole months from the monthly rows, the days at the edges from the daily rows), plus the live count
of overdue letters; never a scan of the letters.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role, User
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Letter, LetterState
from xinfang.orgs.choices import PoliceType, UnitKind
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.selectors import in_units, unit_ids_under
from xinfang.statistics.figures import COUNTERS, HISTOGRAMS, INDICATORS, Totals, score
from xinfang.statistics.models import Grain, PeriodicReport, ReportStatus, SubtreeRollup
from xinfang.statistics.replica import rollup_db
from xinfang.vocabulary import Channel, LetterType

T = TypeVar("T")
STATISTICS_ROLES = frozenset({Role.ANALYST, Role.LEADER, Role.INSPECTOR})
GROUPINGS: dict[str, Promise] = {
    "police_type": gettext_lazy("按警种"),
    "region": gettext_lazy("按地区（下级单位）"),
    "channel": gettext_lazy("按渠道"),
    "letter_type": gettext_lazy("按信件类型"),
    "mailbox": gettext_lazy("按信箱"),
}


def may_view_statistics(user: User) -> bool:
    return user.is_active and not user.is_citizen and user.unit is not None and bool(user.role_set & STATISTICS_ROLES)


def scope_root(user: User) -> Unit:
    """The unit whose subtree ``user`` sees figures for: their bureau (a department's staff: its bureau)."""
    assert user.unit is not None
    return user.unit.bureau


def unit_in_scope(user: User, unit_id: int | str | None) -> Unit:
    """The unit asked for if it lies in ``user``'s subtree (a bureau), else the user's own bureau."""
    root = scope_root(user)
    try:
        pk = int(unit_id) if unit_id else root.pk
    except (TypeError, ValueError):
        return root
    unit = Unit.objects.filter(pk=pk, kind=UnitKind.BUREAU).first()
    if unit is None or not unit.path.startswith(root.path):
        return root
    return unit


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year, custom
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind and length just before (for growth)."""
        if self.kind in ("month", "quarter", "year"):
            months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
            return month_period(self.kind, _add_months(self.start, -months), months)
        return Period("custom", self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def query(self) -> dict[str, str]:
        if self.kind == "custom":
            return {"period": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": self.kind, "start": f"{self.start:%Y-%m}"}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_period(kind: str, first: dt.date, months: int) -> Period:
    last = _add_months(first, months - 1)
    return Period(kind, first, last.replace(day=calendar.monthrange(last.year, last.month)[1]))


def period_from(params: dict[str, str], today: dt.date | None = None) -> Period:
    """The period a page asks for: ``period`` = month | quarter | year (with ``start`` YYYY-MM) or
    custom (``from``, ``to``); this month by default. Bad input falls back to the default."""
    today = today or timezone.localdate()
    kind = params.get("period", "month")
    try:
        if kind == "custom":
            start = dt.date.fromisoformat(params.get("from", ""))
            end = dt.date.fromisoformat(params.get("to", ""))
            if end < start or (end - start).days > 3660:
                raise ValueError
            return Period("custom", start, end)
        first = dt.date.fromisoformat(params.get("start", "") + "-01") if params.get("start") else today.replace(day=1)
    except ValueError:
        kind, first = "month", today.replace(day=1)
    if kind == "quarter":
        return month_period("quarter", first.replace(month=(first.month - 1) // 3 * 3 + 1), 3)
    if kind == "year":
        return month_period("year", first.replace(month=1), 12)
    return month_period("month", first, 1)


def _period_q(period: Period) -> Q:
    """Whole months from the monthly rows, the rest from the daily rows."""
    first_full = period.start if period.start.day == 1 else _add_months(period.start, 1)
    after = period.end + dt.timedelta(days=1)
    end_full = after if after.day == 1 else after.replace(day=1)  # exclusive
    if first_full >= end_full:
        return Q(grain=Grain.DAY, start__gte=period.start, start__lte=period.end)
    months = Q(grain=Grain.MONTH, start__gte=first_full, start__lt=end_full)
    head = Q(grain=Grain.DAY, start__gte=period.start, start__lt=first_full)
    tail = Q(grain=Grain.DAY, start__gte=end_full, start__lte=period.end)
    return months | head | tail


# ---------------------------------------------------------------- figures


def _sums(rows: Iterable[dict[str, object]], group: str | None) -> dict[object, Totals]:
    out: dict[object, Totals] = {}
    for row in rows:
        key = row[group] if group else None
        out[key] = Totals(counts={name: int(row[name] or 0) for name in COUNTERS})  # type: ignore[call-overload]
    return out


def _read(base: QuerySet[SubtreeRollup], field_: str | None, histograms: bool) -> dict[object, Totals]:
    """Sum the rows of ``base`` per ``field_`` (or all together), with the day counts if asked."""
    sums = {name: Sum(name) for name in COUNTERS}
    rows = base.values(field_).annotate(**sums).order_by() if field_ else [base.aggregate(**sums)]
    result = _sums(rows, field_)
    if histograms:
        for row in base.values(*([field_] if field_ else []), *HISTOGRAMS):
            totals = result.setdefault(row[field_] if field_ else None, Totals())
            for name in HISTOGRAMS:
                into = totals.hist.setdefault(name.removesuffix("_hist"), {})
                for day_count, n in (row[name] or {}).items():
                    into[int(day_count)] = into.get(int(day_count), 0) + n
    return result


def figures(unit: Unit, period: Period, *, group: str | None = None, histograms: bool = True,
            overdue: bool = True) -> dict[object, Totals]:  # fmt: skip
    """Totals for ``unit`` and its subtree in ``period``: one entry (key None) or one per ``group``
    ("police_type", "channel", "letter_type", "mailbox", "place", "accused" → the slice's key).

    Read from the unit's own subtree rows (``SubtreeRollup``): a dozen rows for a year, whatever
    the size of the subtree."""
    dim = group or "all"
    base = SubtreeRollup.objects.using(rollup_db()).filter(_period_q(period), unit_id=unit.pk, dim=dim)
    result = _read(base, "key" if group else None, histograms and dim == "all")
    if overdue:
        for key, n in overdue_now(unit, group).items():
            result.setdefault(key, Totals()).overdue = n
        for totals in result.values():
            if totals.overdue is None:
                totals.overdue = 0
    return result


OVERDUE_FIELDS = {None: None, "unit": "owing_unit_id", "police_type": "police_type", "channel": "channel",
                  "letter_type": "letter_type", "mailbox": "mailbox_id", "accused": "accused_unit_id",
                  "place": "division_code"}  # fmt: skip


def overdue_now(unit: Unit, group: str | None = None) -> dict[object, int]:
    """Open letters past their current due date that the authorities owe, under ``unit`` (live)."""
    today = timezone.localdate()
    letters = Letter.objects.filter(
        in_units("owing_unit", unit_ids_under(unit)),
        state__in=sorted(LetterState.authority_clock_states()),
        current_due__lt=today,
    )
    field_ = OVERDUE_FIELDS[group]
    if field_ is None:
        return {None: letters.count()}
    out: dict[object, int] = defaultdict(int)
    for row in letters.values(field_).annotate(n=Count("id")).order_by():
        value = row[field_]
        if group == "place":
            value = (value or "")[:6]
        elif group in ("mailbox", "accused"):
            value = str(value or "")
        out[value or ("" if group != "unit" else None)] += row["n"]
    return dict(out)


# ---------------------------------------------------------------- rows with names


@dataclass
class Row:
    key: str
    name: str
    totals: Totals
    unit: Unit | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _names(group: str, keys: Iterable[object]) -> dict[str, str]:
    wanted = [str(k) for k in keys if k not in (None, "")]
    if group in ("mailbox", "accused"):
        wanted = [k for k in wanted if k.isdigit()]
    if group == "police_type":
        return {k: str(dict(PoliceType.choices).get(k, k)) for k in wanted}
    if group == "channel":
        return {k: str(dict(Channel.choices).get(k, k)) for k in wanted}
    if group == "letter_type":
        return {k: str(dict(LetterType.choices).get(k, k)) for k in wanted}
    if group == "mailbox":
        return {str(pk): name for pk, name in Mailbox.objects.filter(pk__in=wanted).values_list("pk", "name")}
    if group == "accused":
        return {str(pk): name for pk, name in Unit.objects.filter(pk__in=wanted).values_list("pk", "name")}
    if group == "place":
        found = Unit.objects.filter(division_code__in=wanted, kind=UnitKind.BUREAU).values_list(
            "division_code", "division_name"
        )
        named = pgettext("a place and its code", "%(name)s（%(code)s）")
        return {**{k: k for k in wanted}, **{code: named % {"name": name, "code": code} for code, name in found}}
    return {k: k for k in wanted}


def breakdown(unit: Unit, period: Period, group: str, *, overdue: bool = True) -> list[Row]:
    """One row per value of ``group`` (a slice, or "region"), biggest first; without the live
    overdue counts if ``overdue`` is False (:func:`with_overdue` adds them)."""
    if group == "region":
        return by_region(unit, period, overdue=overdue)
    data = figures(unit, period, group=group, histograms=False, overdue=False)
    names = _names(group, data.keys())
    rows = [Row(str(key or ""), names.get(str(key or ""), _("未填写")), totals) for key, totals in data.items()]
    rows.sort(key=_biggest_first)
    return with_overdue(unit, group, rows) if overdue else rows


def _biggest_first(row: Row) -> tuple[int, int, str]:
    return -row.totals["received"], -row.totals["replied"], row.name


def with_overdue(unit: Unit, group: str, rows: list[Row]) -> list[Row]:
    """``rows`` of ``group`` (read by :func:`breakdown` without it) with the live overdue count of each.

    A slice's value with overdue letters and nothing counted in the period gets a row of its own;
    by region, a letter counts for the child bureau it lies under, else for the unit's own row."""
    for row in rows:
        row.totals.overdue = 0
    if group == "region":
        _region_overdue(unit, rows)
        return rows
    counts = overdue_now(unit, group)
    by_key = {row.key: row for row in rows}
    missing = [key for key in counts if str(key or "") not in by_key]
    names = _names(group, missing) if missing else {}
    for key, n in counts.items():
        text = str(key or "")
        if text not in by_key:
            by_key[text] = Row(text, names.get(text, _("未填写")), Totals(overdue=0))
            rows.append(by_key[text])
        by_key[text].totals.overdue = (by_key[text].totals.overdue or 0) + n
    rows.sort(key=_biggest_first)
    return rows


def _region_overdue(unit: Unit, rows: list[Row]) -> None:
    own = next((row for row in rows if row.extra.get("own")), None)
    child_by_path = {row.unit.path: row for row in rows if row.unit is not None and not row.extra.get("own")}
    overdue = overdue_now(unit, "unit")
    paths = dict(Unit.objects.filter(pk__in=[k for k in overdue if k is not None]).values_list("pk", "path"))
    cut = len(unit.path) + Unit.steplen
    for key, n in overdue.items():
        path = paths.get(key) if isinstance(key, int) else None
        target = child_by_path.get(path[:cut]) if path and len(path) >= cut else None
        target = target or own
        if target is not None:
            target.totals.overdue = (target.totals.overdue or 0) + n


def children_of(unit: Unit) -> list[Unit]:
    """The bureaus one level below ``unit`` (its own police-type departments are not "regions")."""
    return list(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1, kind=UnitKind.BUREAU).order_by("path")
    )


def by_region(unit: Unit, period: Period, *, overdue: bool = True) -> list[Row]:
    """One row for the unit itself (with its departments), then one per bureau below it, with its subtree.

    Each child's figures are its subtree rows; the unit's own row is its subtree less its children's."""
    children = children_of(unit)
    total = figures(unit, period, overdue=False).get(None, Totals())
    base = SubtreeRollup.objects.using(rollup_db()).filter(
        _period_q(period), unit_id__in=[c.pk for c in children], dim="all"
    )
    data = _read(base, "unit_id", True) if children else {}
    own = Row(str(unit.pk), _("本级（含各警种）"), Totals(), unit=unit, extra={"own": True})
    own.totals.add(total)
    rows = [Row(str(child.pk), child.name, data.get(child.pk, Totals()), unit=child) for child in children]
    for row in rows:
        own.totals.subtract(row.totals)
    return with_overdue(unit, "region", [own, *rows]) if overdue else [own, *rows]


# ---------------------------------------------------------------- assessment, hotspots


@dataclass
class Assessment:
    row: Row
    rates: dict[str, float | None]
    score: float | None
    rank: int | None = None


def assessment(unit: Unit, period: Period, *, overdue: bool = True) -> list[Assessment]:
    """The bureaus below ``unit`` with the rates of :data:`figures.INDICATORS` and a ranking by score
    (no rate counts the overdue letters: without them if ``overdue`` is False)."""
    rows = [row for row in by_region(unit, period, overdue=overdue) if not row.extra.get("own")]
    assessed = [Assessment(row, {i.name: i.compute(row.totals) for i in INDICATORS}, score(row.totals)) for row in rows]
    assessed.sort(key=lambda a: (a.score is None, -(a.score or 0), a.row.name))
    rank = 0
    for a in assessed:
        if a.score is not None:
            rank += 1
            a.rank = rank
    return assessed


@dataclass
class Hotspot:
    key: str
    name: str
    current: int
    previous: int

    @property
    def growth(self) -> int:
        return self.current - self.previous

    @property
    def growth_pct(self) -> float | None:
        return None if self.previous == 0 else round(100.0 * (self.current - self.previous) / self.previous, 1)


HOTSPOT_GROUPS: dict[str, Promise] = {
    "place": gettext_lazy("事发地"),
    "police_type": gettext_lazy("警种"),
    "accused": gettext_lazy("被反映单位"),
}


def hotspots(unit: Unit, period: Period, group: str, *, top: int = 10) -> tuple[list[Hotspot], list[Hotspot]]:
    """The ``top`` values of ``group`` with most letters received in ``period``, and those with the
    fastest growth over the previous period of the same length (at least 3 letters now)."""
    now = figures(unit, period, group=group, histograms=False, overdue=False)
    before = figures(unit, period.previous(), group=group, histograms=False, overdue=False)
    keys = {str(k or "") for k in now} | {str(k or "") for k in before}
    keys.discard("")
    names = _names(group, keys)
    now_by = {str(k or ""): t["received"] for k, t in now.items()}
    before_by = {str(k or ""): t["received"] for k, t in before.items()}
    spots = [Hotspot(k, names.get(k, k), now_by.get(k, 0), before_by.get(k, 0)) for k in keys]
    most = sorted((s for s in spots if s.current), key=lambda s: (-s.current, s.name))[:top]
    growing = sorted((s for s in spots if s.current >= 3 and s.growth > 0), key=lambda s: (-s.growth, s.name))[:top]
    return most, growing


def trend(unit: Unit, period: Period) -> list[tuple[str, Totals]]:
    """Received and replied per day (periods up to 62 days) or per month."""
    daily = period.days <= 62
    grain = Grain.DAY if daily else Grain.MONTH
    rows = (
        SubtreeRollup.objects.using(rollup_db())
        .filter(unit_id=unit.pk, grain=grain, dim="all", start__gte=period.start, start__lte=period.end)
        .values("start")
        .annotate(received=Sum("received"), replied=Sum("replied"))
        .order_by("start")
    )
    found = {row["start"]: Totals(counts={"received": row["received"], "replied": row["replied"]}) for row in rows}
    out: list[tuple[str, Totals]] = []
    day = period.start
    while day <= period.end:
        out.append((day.isoformat() if daily else f"{day:%Y-%m}", found.get(day, Totals())))
        day = day + dt.timedelta(days=1) if daily else _add_months(day, 1)
    return out


@dataclass
class DashboardRead:
    """What the dashboard reads from the rollups: the rows of each grouping of :data:`GROUPINGS`
    (without the live overdue counts: :func:`with_overdue`) and the trend."""

    tables: dict[str, list[Row]]
    trend: list[tuple[str, Totals]]


def dashboard_read(unit: Unit, period: Period) -> DashboardRead:
    return DashboardRead({group: breakdown(unit, period, group, overdue=False) for group in GROUPINGS},
                         trend(unit, period))  # fmt: skip


# ---------------------------------------------------------------- the pages' cache

CACHE_SECONDS = 3600  # a bound on what a key cannot see (a unit renamed); the watermark moves every 5 minutes


def counted_cache(what: str, *, viewer: User, unit: Unit, period: Period, count: tuple[int, dt.datetime | None],
                  compute: Callable[[], T]) -> T:  # fmt: skip
    """``compute()`` (figures read from the rollups, never the live overdue counts), kept in the
    shared cache (``settings.CACHES``) until the rollup job counts again.

    The key holds everything the result depends on: the count it was read at (``rollup.last_count``),
    the viewer's visible subtree, the unit, the period and the language (the names of the slices
    are translated). So a new count is read afresh, and viewers of different scopes never share
    an entry."""
    event_id, counted_at = count
    key = ":".join((
        "xinfang:statistics", what, str(event_id), counted_at.isoformat() if counted_at else "-",
        scope_root(viewer).path, str(unit.pk), period.kind, period.start.isoformat(), period.end.isoformat(),
        get_language() or "",
    ))  # fmt: skip
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return cast("T", found)


# ---------------------------------------------------------------- drill-down


def drilldown_letters(viewer: User, unit: Unit, period: Period) -> QuerySet[Letter]:
    """Letters of ``unit``'s subtree (taken in or handled there) received in ``period`` that ``viewer`` may see."""
    ids = unit_ids_under(unit)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=timezone.get_current_timezone())
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
    letters = letters_visible_to(viewer).filter(received_at__gte=start, received_at__lt=end)
    if ids is not None:
        letters = letters.filter(Q(intake_unit_id__any_of=ids) | Q(handling_unit_id__any_of=ids))
    return letters.select_related("mailbox", "intake_unit", "handling_unit").order_by("-received_at", "-id")


# ---------------------------------------------------------------- periodic reports


def reports_of(viewer: User, unit: Unit) -> QuerySet[PeriodicReport]:
    """The periodic reports of ``unit`` if it lies in ``viewer``'s subtree (else none), newest period first."""
    root = scope_root(viewer)
    return PeriodicReport.objects.filter(unit=unit, unit__path__startswith=root.path).select_related("requested_by")


def report_for(viewer: User, public_id: str) -> PeriodicReport:
    """A ready report of a unit in ``viewer``'s subtree (the scope of :func:`unit_in_scope`), else 404."""
    root = scope_root(viewer)
    report = (
        PeriodicReport.objects.filter(public_id=public_id, status=ReportStatus.READY, unit__path__startswith=root.path)
        .select_related("unit")
        .first()
    )
    if report is None:
        raise Http404
    return report
