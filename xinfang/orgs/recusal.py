"""Recusal (回避): may a unit handle or see a letter that accuses another unit? The one rule.

1. A complaint or report against a unit is never handled or seen by the accused unit's bureau (a
   department counts as its bureau, a police station as its county-level bureau) or by any unit
   under that bureau: the *recusal floor*.
2. Nobody is above the Ministry. When the Ministry (or one of its departments) is accused, its
   own discipline department is the exception and handles the letter; when the discipline
   department itself is accused, the inspection department is.

Access (who sees and acts), routing (which unit is proposed, which the acceptor may pick
instead) and intake (which front desk receives the letter) all ask this module, in one of its
two forms: :func:`recused` for one unit, :func:`accused_ids_recusing` for a query.
"""

from __future__ import annotations

from xinfang.orgs.choices import OVERSIGHT_POLICE_TYPES, PoliceType
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import bureau_above, bureaus_over_ids, department_of, unit_by_id

MINISTRY_DEPTH = 1


def recusal_floor(accused: Unit) -> Unit:
    """The bureau that, with everything under it, may not handle a letter accusing ``accused``.

    A station (派出所) is part of its county-level bureau: a report against it goes above that bureau."""
    return bureau_above(accused, 1) if accused.is_station else accused.bureau


def recusal_exception(accused: Unit) -> Unit | None:
    """The one unit inside the floor that still handles the letter: only when the Ministry is accused."""
    floor = recusal_floor(accused)
    if floor.depth != MINISTRY_DEPTH:
        return None
    police_type = PoliceType.INSPECTION if accused.police_type == PoliceType.DISCIPLINE else PoliceType.DISCIPLINE
    return department_of(floor, police_type)


def recused(unit: Unit, accused: Unit | None) -> bool:
    """True if ``unit`` may neither handle nor see a letter accusing ``accused`` (None: no accusation)."""
    if accused is None:
        return False
    exception = recusal_exception(accused)
    if exception is not None and unit.is_within(exception):
        return False
    return unit.is_within(recusal_floor(accused))


def accused_ids_recusing(unit: Unit) -> list[int]:
    """Ids of the accused units whose letters ``unit``'s staff may not see (for a query's exclude).

    A unit is under the floor of every bureau on its path from the Ministry, of their departments
    and of their stations; only the Ministry's own oversight departments are excepted, for some of them.
    """
    over = bureaus_over_ids(unit)
    if not (unit.is_department and unit.police_type in OVERSIGHT_POLICE_TYPES and unit.bureau.depth == MINISTRY_DEPTH):
        return over
    return [pk for pk in over if recused(unit, unit_by_id(pk))]
