"""The public statistics page of a mailbox (issue 18 §2): counts by month for the last 12 months, the
subordinate mailboxes, a chart and a table with the same numbers, the definitions; never a letter."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import at, receive
from tests.statistics.conftest import MONTH, Month
from xinfang.accounts.models import User
from xinfang.orgs.models import Mailbox, Unit
from xinfang.statistics.figures import FIGURES_BY_NAME
from xinfang.statistics.public import PUBLIC_FIGURES
from xinfang.statistics.rollup import statistics_rollup
from xinfang.statistics.selectors import figures, month_period

pytestmark = pytest.mark.django_db
APRIL = dt.date(2026, 4, 15)  # the page is read in April 2026: its 12 months are 2025-05 … 2026-04


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """The page keeps its figures in the process-wide cache for a few minutes."""
    cache.clear()
    yield
    cache.clear()


def page(slug: str = "gd", language: str = "zh-CN") -> str:
    with at(APRIL):
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/m/{slug}/statistics/")
    assert response.status_code == 200
    return response.content.decode()


def cells(html: str, attribute: str, key: str) -> list[str]:
    row = re.search(rf'<tr {attribute}="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert row is not None, key
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_the_page_shows_each_month_with_the_figures_of_the_statistics_module(march: Month) -> None:
    statistics_rollup(settle=0)
    html = page()
    # March: three received, one accepted and replied five days after receipt, on time, rated satisfied.
    assert cells(html, "data-month", "2026-03") == ["3", "1", "1", "100.0%", "5.0", "100.0%"]
    assert cells(html, "data-month", "2026-02") == ["0", "0", "0", "—", "—", "—"]
    assert cells(html, "data-month", "total") == ["3", "1", "1", "100.0%", "5.0", "100.0%"]
    assert len(re.findall(r'<tr data-month="\d{4}-\d{2}">', html)) == 12
    assert 'data-month="2025-05"' in html and 'data-month="2025-04"' not in html


def test_the_numbers_are_those_the_analysts_see_for_the_mailbox(march: Month, guangdong: Unit) -> None:
    statistics_rollup(settle=0)
    mailbox = Mailbox.objects.get(slug="gd")
    console = figures(guangdong, month_period("month", MONTH, 1), group="mailbox")[str(mailbox.pk)]
    expected = [figure.compute(console) for figure in PUBLIC_FIGURES]
    shown = cells(page(), "data-month", "2026-03")
    assert shown == [("—" if v is None else f"{v}%" if f.unit == "%" else str(v)) for v, f in
                     zip(expected, PUBLIC_FIGURES, strict=True)]  # fmt: skip


def test_the_chart_has_the_same_numbers_as_the_table_and_echarts_is_served_locally(march: Month) -> None:
    statistics_rollup(settle=0)
    html = page()
    data = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert data["labels"][0] == "2025-05" and data["labels"][-1] == "2026-04"
    march_at = data["labels"].index("2026-03")
    by_name = {series["name"]: series["values"][march_at] for series in data["series"]}
    assert by_name == {"收信数": 3, "受理数": 1, "答复数": 1, "按期答复率": 100.0, "满意率": 100.0}
    assert '<script src="/static/vendor/echarts/echarts.min.js"' in html
    assert "cdn" not in html.lower()


def test_the_definitions_of_each_figure_are_on_the_page(gd_mailbox: Mailbox) -> None:
    html = page()
    for name in ("received", "replied_on_time_pct", "reply_days_avg", "satisfaction_pct"):
        figure = FIGURES_BY_NAME[name]
        assert f"<dt>{figure.label}</dt>" in html
        assert str(figure.formula) in html and str(figure.counted_on) in html


def test_the_page_shows_counts_never_a_letter(march: Month) -> None:
    statistics_rollup(settle=0)
    html = page()
    for letter in (march.replied, march.refused, march.open):
        assert letter.tracking_number not in html
        assert letter.subject not in html


def test_each_subordinate_mailbox_has_its_row_and_its_own_page(
    citizen: User, gd_mailbox: Mailbox, guangzhou: Unit
) -> None:
    gz_mailbox = Mailbox.objects.get(owner=guangzhou)
    with at(dt.date(2026, 3, 10)):
        receive(citizen, gz_mailbox)
    statistics_rollup(settle=0)
    html = page()
    assert cells(html, "data-mailbox", gz_mailbox.slug)[0] == "1"
    assert cells(html, "data-month", "total")[0] == "0"  # the Guangzhou letter is not the Guangdong mailbox's
    assert len(re.findall(r"<tr data-mailbox=", html)) == 21
    own = page(gz_mailbox.slug)
    assert cells(own, "data-month", "2026-03")[0] == "1"


def test_the_page_reads_the_rollups_and_not_the_letters(march: Month) -> None:
    statistics_rollup(settle=0)
    with CaptureQueriesContext(connection) as queries:
        page()
    assert queries.captured_queries
    assert not [q["sql"] for q in queries.captured_queries if "letters_letter" in q["sql"]]


def test_the_figures_are_cached_for_a_few_minutes(citizen: User, gd_mailbox: Mailbox) -> None:
    with at(dt.date(2026, 4, 1)):
        receive(citizen, gd_mailbox)
    statistics_rollup(settle=0)
    assert cells(page(), "data-month", "2026-04")[0] == "1"
    with at(dt.date(2026, 4, 2)):
        receive(citizen, gd_mailbox)
    statistics_rollup(settle=0)
    assert cells(page(), "data-month", "2026-04")[0] == "1"  # still the cached figures


def test_the_page_is_in_english_too(march: Month) -> None:
    statistics_rollup(settle=0)
    html = page(language="en")
    assert "<dt>Received</dt>" in html and "Satisfaction" in html
    assert cells(html, "data-month", "2026-03")[0] == "3"


def test_an_unknown_or_closed_mailbox_is_not_found(gd_mailbox: Mailbox) -> None:
    assert Client().get("/m/no-such-box/statistics/").status_code == 404
