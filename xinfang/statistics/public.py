"""The public figures of a mailbox (issue 18 §2; docs/statistics.md, "The public statistics page").

Counts only, from the monthly rollups of the slice ``mailbox`` (never a letter): the figures of
:data:`PUBLIC_FIGURES`, as defined once in :mod:`xinfang.statistics.figures`, month by month for a
mailbox and for the mailboxes of the bureaus directly below its owner.

A mailbox's letters are counted wherever they were counted: at the front desk that took them (the
owner, or a unit above it under recusal) and at the unit that replied (the owner or one below it).
So the rows read are those of the owner's subtree and of the units above it, filtered by the
mailboxes' ids; one query for the page.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.utils import timezone

from xinfang.orgs.choices import UnitKind
from xinfang.orgs.models import Mailbox
from xinfang.orgs.selectors import bureaus_over_ids, unit_ids_under
from xinfang.statistics.figures import COUNTERS, FIGURES_BY_NAME, Figure, Totals
from xinfang.statistics.models import Grain, Rollup
from xinfang.statistics.replica import rollup_db

PUBLIC_FIGURES: tuple[Figure, ...] = tuple(
    FIGURES_BY_NAME[name]
    for name in ("received", "accepted", "replied", "replied_on_time_pct", "reply_days_avg", "satisfaction_pct")
)
MONTHS = 12


def last_months(today: dt.date | None = None, count: int = MONTHS) -> list[dt.date]:
    """The first days of the last ``count`` calendar months, this one included, oldest first."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1
    return [dt.date((i // 12), i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def subordinate_mailboxes(mailbox: Mailbox) -> list[Mailbox]:
    """The open mailboxes of the bureaus one level below the mailbox's owner (the 12389 platform,
    owned by the Ministry's discipline department: the provincial organs' mailboxes)."""
    owner = mailbox.owner.bureau
    return list(
        Mailbox.objects.filter(
            is_active=True,
            owner__path__startswith=owner.path,
            owner__depth=owner.depth + 1,
            owner__kind=UnitKind.BUREAU,
        )
        .select_related("owner")
        .order_by("owner__path", "pk")
    )


def mailbox_figures(mailbox: Mailbox, others: list[Mailbox], months: list[dt.date]) -> dict[int, dict[dt.date, Totals]]:
    """Totals per mailbox id and month (every month of ``months`` present, empty ones too)."""
    boxes = [mailbox, *others]
    owner = mailbox.owner.bureau
    under = unit_ids_under(owner)
    units = Q() if under is None else Q(unit_id__any_of=sorted({*under, *bureaus_over_ids(owner)}))
    rows = (
        Rollup.objects.using(rollup_db())
        .filter(
            units,
            grain=Grain.MONTH,
            dim="mailbox",
            key__in=[str(box.pk) for box in boxes],
            start__gte=months[0],
            start__lte=months[-1],
        )
        .values("key", "start")
        .annotate(**{name: Sum(name) for name in COUNTERS})
        .order_by()
    )
    out = {box.pk: {month: Totals() for month in months} for box in boxes}
    for row in rows:
        totals = out[int(row["key"])][row["start"]]
        totals.add(Totals(counts={name: int(row[name] or 0) for name in COUNTERS}))  # type: ignore[literal-required]
    return out


def summed(by_month: dict[dt.date, Totals]) -> Totals:
    total = Totals()
    for totals in by_month.values():
        total.add(totals)
    return total
