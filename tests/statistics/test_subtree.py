"""The subtree rollups (``SubtreeRollup``) give the same figures as the letters themselves."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from tests.factories import assigned_letter, at
from tests.statistics.conftest import D0, MONTH, Month
from xinfang.accounts.models import User
from xinfang.letters.models import Letter, LetterEvent
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.selectors import unit_ids_under
from xinfang.statistics import selectors
from xinfang.statistics.figures import COUNTERS, FIGURES, Totals
from xinfang.statistics.models import SubtreeRollup
from xinfang.statistics.rollup import COUNTED_ACTIONS, letter_contribution, statistics_rollup, subtree_rebuild

pytestmark = pytest.mark.django_db
PERIODS = [
    selectors.month_period("month", MONTH, 1),
    selectors.month_period("year", dt.date(2026, 1, 1), 12),
    selectors.Period("custom", D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=5)),
]


def from_letters(ids: set[int], period: selectors.Period) -> Totals:
    """What the letters contribute to these units in ``period``, straight from each letter and its timeline."""
    totals = Totals(counts=defaultdict(int), hist={"accept": defaultdict(int), "reply": defaultdict(int)})
    for letter in Letter.objects.all():
        events = LetterEvent.objects.filter(letter=letter, action__in=COUNTED_ACTIONS).order_by("at", "id")
        contribution = letter_contribution(letter, events)
        for day, unit_id, counts in contribution.entries:
            if unit_id in ids and period.start <= dt.date.fromisoformat(day) <= period.end:
                for name, n in counts.items():
                    totals.counts[name] += n
        for day, unit_id, measure, days in contribution.hist:
            if unit_id in ids and period.start <= dt.date.fromisoformat(day) <= period.end:
                totals.hist[measure][days] += 1
    return totals


def same(read: Totals, expected: Totals) -> None:
    assert {k: v for k, v in read.counts.items() if v} == {k: v for k, v in expected.counts.items() if v}
    for measure in ("accept", "reply"):
        assert {k: v for k, v in read.hist.get(measure, {}).items() if v} == dict(expected.hist[measure])
    for figure in FIGURES:
        if figure.name != "overdue":
            assert figure.compute(read) == figure.compute(expected), figure.name


@pytest.fixture
def letters(march: Month, citizen: User, gd_mailbox: Mailbox, acceptor: User, shenzhen: Unit) -> None:
    """March's letters, and one more sent on to Shenzhen (its reply owed there)."""
    with at(D0 + dt.timedelta(days=2)):
        assigned_letter(citizen, gd_mailbox, acceptor, shenzhen, reason="深圳市局管辖。")
    statistics_rollup(settle=0)


@pytest.mark.usefixtures("letters")
def test_a_subtree_reads_what_its_letters_count(guangdong: Unit, guangzhou: Unit, tianhe: Unit, shenzhen: Unit) -> None:
    ministry = Unit.objects.get(depth=1)
    everything = set(Unit.objects.values_list("pk", flat=True))
    for unit in (ministry, guangdong, guangzhou, tianhe, shenzhen):
        ids = set(unit_ids_under(unit) or everything)
        for period in PERIODS:
            same(selectors.figures(unit, period, overdue=False)[None], from_letters(ids, period))
    assert selectors.figures(guangdong, PERIODS[0])[None]["received"] == 4  # the data is not empty


@pytest.mark.usefixtures("letters")
def test_regions_are_the_children_subtrees_and_the_rest(guangdong: Unit, guangzhou: Unit, shenzhen: Unit) -> None:
    period = PERIODS[0]
    rows = {row.key: row for row in selectors.by_region(guangdong, period)}
    children = selectors.children_of(guangdong)
    for child in (guangzhou, shenzhen):
        same(rows[str(child.pk)].totals, from_letters(set(unit_ids_under(child)), period))
    below = {pk for child in children for pk in unit_ids_under(child)}
    own = set(unit_ids_under(guangdong)) - below
    same(next(row for row in rows.values() if row.extra.get("own")).totals, from_letters(own, period))
    assert rows[str(guangzhou.pk)].totals["replied"] == 1 and rows[str(shenzhen.pk)].totals["owed_reply"] == 1


@pytest.mark.usefixtures("letters")
def test_the_back_fill_rebuilds_what_the_job_keeps() -> None:
    def rows() -> dict[tuple[object, ...], tuple[object, ...]]:
        out = {}
        for r in SubtreeRollup.objects.all():
            values = tuple(getattr(r, c) for c in COUNTERS)
            if any(values) or r.accept_hist or r.reply_hist:
                out[(r.grain, r.start, r.unit_id, r.dim, r.key)] = (values, r.accept_hist, r.reply_hist)
        return out

    kept = rows()
    assert kept
    subtree_rebuild()
    assert rows() == kept
