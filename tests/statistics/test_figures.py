"""Figures against hand-built letters; the rollup job is incremental and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import at
from tests.statistics.conftest import D0, MONTH, Month
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import Letter
from xinfang.orgs.models import Unit
from xinfang.statistics import selectors
from xinfang.statistics.figures import FIGURES_BY_NAME, Totals, percentile
from xinfang.statistics.models import LetterFigures, Rollup, RollupWatermark
from xinfang.statistics.rollup import statistics_rollup

pytestmark = pytest.mark.django_db
MARCH = selectors.month_period("month", MONTH, 1)


def value(totals: Totals, name: str) -> object:
    return FIGURES_BY_NAME[name].compute(totals)


def snapshot() -> dict[tuple[object, ...], dict[str, int]]:
    from xinfang.statistics.figures import COUNTERS

    return {
        (r.grain, r.start, r.unit_id, r.dim, r.key): {c: getattr(r, c) for c in COUNTERS if getattr(r, c)}
        for r in Rollup.objects.all()
    }


def test_figures_of_a_hand_built_month(march: Month, guangdong: Unit, tianhe: Unit) -> None:
    statistics_rollup(settle=0)
    province = selectors.figures(guangdong, MARCH)[None]
    assert value(province, "received") == 3
    assert value(province, "accepted") == 1
    assert value(province, "refused") == 1
    assert value(province, "replied") == 1
    assert value(province, "replied_on_time_pct") == 100.0
    assert value(province, "reply_days_avg") == 5.0
    assert value(province, "reply_days_p90") == 5
    assert value(province, "accept_days_avg") == 0.0
    assert value(province, "satisfaction_pct") == 100.0
    assert value(province, "repeat_pct") == 0.0
    # The reply counts for the unit that replied (Tianhe), the receipt for the desk (the province).
    district = selectors.figures(tianhe, MARCH)[None]
    assert (value(district, "received"), value(district, "replied")) == (0, 1)
    # February saw nothing.
    february = selectors.month_period("month", dt.date(2026, 2, 1), 1)
    assert value(selectors.figures(guangdong, february)[None], "received") == 0


def test_a_custom_period_adds_days_and_months(march: Month, guangdong: Unit) -> None:
    statistics_rollup(settle=0)
    first_days = selectors.Period("custom", D0, D0 + dt.timedelta(days=1))
    assert value(selectors.figures(guangdong, first_days)[None], "received") == 2
    spanning = selectors.Period("custom", dt.date(2026, 2, 15), dt.date(2026, 4, 3))
    assert value(selectors.figures(guangdong, spanning)[None], "received") == 3


def test_the_job_is_idempotent_and_incremental(march: Month, citizen: User) -> None:
    first = statistics_rollup(settle=0)
    assert first.letters == 3
    before = snapshot()
    again = statistics_rollup(settle=0)
    assert (again.events, again.letters) == (0, 0)
    assert snapshot() == before
    # Counting the same letters again from scratch (a second worker, a lost watermark) changes nothing.
    RollupWatermark.objects.update(last_event_id=0)
    statistics_rollup(settle=0)
    assert snapshot() == before
    # One new event: only the evaluation it brings is counted.
    with at(D0 + dt.timedelta(days=20)):
        s.letter_request_review(letter=march.replied, actor=citizen, reason="不服答复。")
    result = statistics_rollup(settle=0)
    assert result.letters == 1
    after = snapshot()
    changed = {cell for cell in after if after[cell] != before.get(cell)}
    assert changed and all(set(after[cell]) - set(before.get(cell, {})) <= {"review_requested"} for cell in changed)
    assert all(after[c]["review_requested"] == before.get(c, {}).get("review_requested", 0) + 1 for c in changed)


def test_a_letter_reclassified_later_moves_its_counts(march: Month, guangdong: Unit) -> None:
    statistics_rollup(settle=0)
    by_type = {key: t["received"] for key, t in selectors.figures(guangdong, MARCH, group="police_type").items()}
    assert by_type.get("", 0) == 3
    Letter.objects.filter(pk=march.open.pk).update(police_type="traffic")
    with at(D0 + dt.timedelta(days=4)):  # any new step on the letter makes the job recount it
        s.letter_accept(letter=Letter.objects.get(pk=march.open.pk), actor=_acceptor())
    statistics_rollup(settle=0)
    by_type = {key: t["received"] for key, t in selectors.figures(guangdong, MARCH, group="police_type").items()}
    assert by_type.get("traffic") == 1 and by_type.get("") == 2
    assert LetterFigures.objects.get(letter=march.open).dims["police_type"] == "traffic"


def _acceptor() -> User:
    return User.objects.get(username="acceptor")


def test_an_event_too_young_is_read_again(march: Month) -> None:
    """The watermark stops before events younger than ``settle``: a later run still sees them."""
    result = statistics_rollup(settle=10 * 365 * 24 * 3600)
    assert result.watermark == 0 and result.letters == 3
    assert statistics_rollup(settle=0).watermark > 0


def test_percentile_is_nearest_rank() -> None:
    assert percentile({1: 9, 30: 1}, 90) == 1
    assert percentile({1: 8, 30: 2}, 90) == 30
    assert percentile({}, 90) is None
