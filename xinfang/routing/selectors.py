"""Reads for routing: the place of a letter in the unit tree, ancestors, and the active rules."""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.orgs.choices import UnitKind
from xinfang.orgs.models import Mailbox, Unit
from xinfang.routing.defaults import CITY_FUNCTIONS, CityFunction
from xinfang.routing.models import CityLevelFunction, RoutingRule
from xinfang.table_cache import KeyedCache, TableCache

XPCC_CODE = "XPCC"
# GB/T 2260 codes of the Corps' cities (石河子 659001 …) are under Xinjiang's 65 prefix, but the
# cities are policed by the Corps' own organ, not by the Xinjiang department.
XPCC_PREFIX = "6590"


@dataclass(frozen=True)
class Place:
    """The bureau whose jurisdiction holds a place, and which division of the place found it.

    ``division`` is the bureau whose division code matched; ``bureau`` is the one doing its work
    now, which differs only when that division's bureau was merged into another.
    """

    bureau: Unit
    division: Unit
    matched_code: str

    @property
    def merged_from(self) -> Unit | None:
        return self.division if self.division.pk != self.bureau.pk else None


def _candidates(code: str) -> list[str]:
    """Town (nine digits, when given), county, prefecture, province."""
    six = code[:6]
    result: list[str] = [code[:9]] if len(code) >= 9 else []
    for candidate in (six, six[:4] + "00", six[:2] + "0000"):
        if candidate not in result:
            result.append(candidate)
    return result


def _successor(unit: Unit) -> Unit:
    """Follow a retired unit's ``merged_into`` chain to the unit that now holds its work."""
    seen = {unit.pk}
    while not unit.is_active and unit.merged_into_id is not None and unit.merged_into_id not in seen:
        seen.add(unit.merged_into_id)
        unit = Unit.objects.get(pk=unit.merged_into_id)
    return unit


def current_unit(unit: Unit) -> Unit | None:
    """The active unit that does ``unit``'s work now (itself, or where it was merged), or None."""
    found = _successor(unit)
    return found if found.is_active else None


def place_of(code: str) -> Place | None:
    """The bureau for a division code: the longest known prefix (town, county, prefecture, province).

    A town or village code (9 or 12 digits, the statistical codes) finds the town's sub-bureau where
    the tree has one (the cities without counties: docs/units-data.md), else is read by its first
    six digits. Codes of the Corps' cities fall back to the Corps' organ. Returns None for an empty
    or non-numeric code, or one whose province is unknown. Kept per process (the front-desk queue
    routes every row it shows).
    """
    return _places.get(code)


def _place_of(code: str) -> Place | None:
    if len(code) < 6 or not code.isdigit():
        return None
    candidates = _candidates(code)
    in_corps = code.startswith(XPCC_PREFIX)
    if in_corps:  # a Corps city, or else the Corps itself (never the Xinjiang department)
        candidates = [candidate for candidate in candidates if candidate.startswith(XPCC_PREFIX)]
    bureaus: dict[str, Unit] = {}
    for unit in Unit.objects.filter(kind=UnitKind.BUREAU, division_code__in=candidates).order_by("-is_active", "path"):
        bureaus.setdefault(unit.division_code, unit)
    for candidate in candidates:
        named = bureaus.get(candidate)
        found = current_unit(named) if named is not None else None
        if named is not None and found is not None:
            return Place(bureau=found, division=named, matched_code=candidate)
    if in_corps:
        corps = Unit.objects.filter(code=XPCC_CODE, is_active=True).first()
        return Place(bureau=corps, division=corps, matched_code=code[:6]) if corps is not None else None
    return None


def _active_rules() -> list[RoutingRule]:
    rules = RoutingRule.objects.filter(is_active=True).select_related("target", "target__bureau_of_department")
    return list(rules.order_by("position", "id"))


_places: KeyedCache[str, Place | None] = KeyedCache(_place_of, watch=(Unit,))

# Rules are few and read for every routing decision; a unit's merge or retirement changes a target.
_rules: TableCache[RoutingRule] = TableCache(_active_rules, watch=(RoutingRule, Unit))


def matching_rules(*, mailbox: Mailbox, letter_type: str, police_type: str, division_code: str) -> list[RoutingRule]:
    """Active rules that match a letter, first to apply first."""
    return [
        rule
        for rule in _rules.rows()
        if rule.matches(mailbox=mailbox, letter_type=letter_type, police_type=police_type, division_code=division_code)
    ]


def _effective_city_functions() -> list[CityFunction]:
    """The declared defaults, each replaced by the administrators' row of the same key; plus their own."""
    rows = {row.key: row for row in CityLevelFunction.objects.all()}
    declared = {function.key: function for function in CITY_FUNCTIONS}
    result = [function for key, function in declared.items() if key not in rows]
    for row in rows.values():
        if row.is_active:
            reason = row.reason or (declared[row.key].reason if row.key in declared else "")
            result.append(CityFunction(row.key, row.police_type, row.word_list, reason, row.reason_en, row.source))
    return sorted(result, key=lambda function: function.key)


_city_functions: TableCache[CityFunction] = TableCache(_effective_city_functions, watch=(CityLevelFunction,))


def city_function_for(police_type: str, text: str) -> CityFunction | None:
    """The function run at city level that a letter of ``police_type`` about ``text`` belongs to, if any."""
    if not police_type:
        return None
    lowered = text.lower()
    for function in _city_functions.rows():
        if function.police_type == police_type and (
            not function.words or any(word.lower() in lowered for word in function.words)
        ):
            return function
    return None
