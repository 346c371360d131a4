"""The statistics pages keep what they read from the rollups until the worker counts again
(``selectors.counted_cache``): a new count shows at once, the overdue letters stay live, and
viewers of different scopes or languages never share an entry."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import at, receive
from tests.statistics.conftest import MONTH, Month
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import RefusalReason
from xinfang.orgs.models import Mailbox, Unit
from xinfang.statistics.replica import rollup_db
from xinfang.statistics.rollup import statistics_rollup

pytestmark = pytest.mark.django_db
MARCH = {"period": "month", "start": f"{MONTH:%Y-%m}"}


def view(user: User, name: str = "console:statistics", language: str = "zh-hans", **params: object) -> tuple[str, bool]:
    """The page's HTML, and whether it read the rollups (else its figures came from the cache)."""
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE=language), user)
    with CaptureQueriesContext(connections[rollup_db()]) as queries:
        response = client.get(reverse(name) + "?" + urlencode({**MARCH, **params}))
    assert response.status_code == 200
    read = any("statistics_subtreerollup" in q["sql"] for q in queries.captured_queries)
    return response.content.decode(), read


def headline(html: str, figure: str) -> str:
    found = re.search(rf'data-figure="{figure}"><th scope="row">[^<]*</th><td class="num"[^>]*>([^<]*)</td>', html)
    assert found is not None, figure
    return found.group(1)


def own_row_overdue(html: str) -> str:
    """The overdue cell of the first row of the table by region (the viewed unit's own row)."""
    own = html.split('data-group="region"')[1].split("</tr>")[1]
    found = re.search(r'data-label="当前超期数">([^<]*)</td>', own)
    assert found is not None
    return found.group(1)


def test_a_new_count_by_the_worker_changes_the_page(
    march: Month, gd_analyst: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    statistics_rollup(settle=0)
    html, read = view(gd_analyst)
    assert read and headline(html, "received") == "3"
    html, read = view(gd_analyst)
    assert not read and headline(html, "received") == "3"  # the same count: the cached figures
    with at(MONTH + dt.timedelta(days=19)):
        receive(citizen, gd_mailbox)
    html, read = view(gd_analyst)
    assert not read and headline(html, "received") == "3"  # not counted yet
    statistics_rollup(settle=0)
    html, read = view(gd_analyst)
    assert read and headline(html, "received") == "4"


def test_the_overdue_count_stays_live_under_cached_figures(march: Month, gd_analyst: User, acceptor: User) -> None:
    statistics_rollup(settle=0)
    html, read = view(gd_analyst)
    assert read and headline(html, "overdue") == "1"  # the waiting letter, long past its time limit
    assert own_row_overdue(html) == "1"  # owed by the provincial desk
    s.letter_refuse(letter=march.open, actor=acceptor, reason=RefusalReason.NOT_POLICE)  # not counted yet
    html, read = view(gd_analyst)
    assert not read and headline(html, "overdue") == "0" and headline(html, "refused") == "1"
    assert own_row_overdue(html) == "0"


def test_viewers_of_different_scopes_do_not_share_an_entry(march: Month, gd_analyst: User, guangzhou: Unit) -> None:
    gz_analyst = make_staff("gz-analyst", guangzhou, Role.ANALYST)
    statistics_rollup(settle=0)
    province_view, read = view(gd_analyst, unit=guangzhou.pk)
    assert read
    city_view, read = view(gz_analyst)  # the same unit and period, seen from a smaller scope
    assert read and headline(city_view, "replied") == headline(province_view, "replied") == "1"
    _html, read = view(gz_analyst)
    assert not read


def test_each_language_has_its_own_entry(march: Month, gd_analyst: User) -> None:
    statistics_rollup(settle=0)
    chinese, _read = view(gd_analyst)
    english, read = view(gd_analyst, language="en")
    assert "本级（含各警种）" in chinese
    assert read and "This unit (with its departments)" in english and "本级（含各警种）" not in english


@pytest.mark.parametrize("name", ["console:statistics_assessment", "console:statistics_hotspots"])
def test_assessment_and_hotspots_read_the_rollups_once_per_count(march: Month, gd_analyst: User, name: str) -> None:
    statistics_rollup(settle=0)
    first, read = view(gd_analyst, name)
    assert read
    again, read = view(gd_analyst, name)
    assert not read and again.count("</tr>") == first.count("</tr>")
