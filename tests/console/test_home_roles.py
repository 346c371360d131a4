"""Issue 19 §4: every role lands on a useful console page, never an empty page or a 403."""

from __future__ import annotations

import pytest

from tests.conftest import make_staff
from tests.factories import ConsoleClient
from xinfang.accounts.models import Role
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db

# What each role must find on the page it lands on (a link to its work).
EXPECTED = {
    Role.SEAT_AGENT: "/console/call",
    Role.ACCEPTOR: "/console/desk/",
    Role.HANDLER: "/console/work/",
    Role.LEADER: "/console/statistics/",
    Role.INSPECTOR: "/console/supervision/",
    Role.PUBLISHER: "可公开的信件",  # the candidates page (issue 18)
    Role.ANALYST: "统计概览",
    Role.ADMINISTRATOR: "管理后台",
}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_lands_on_a_useful_page(role: str, guangdong: Unit, console_client: ConsoleClient) -> None:
    user = make_staff(f"home-{role}", guangdong, role)
    response = console_client(user).get("/console/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert EXPECTED[role] in page, role


def test_the_analyst_opens_on_the_dashboard(guangdong: Unit, console_client: ConsoleClient) -> None:
    response = console_client(make_staff("analyst", guangdong, Role.ANALYST)).get("/console/")
    assert response.status_code == 302 and response["Location"] == "/console/statistics/"


def test_the_leader_sees_this_months_figures(guangdong: Unit, console_client: ConsoleClient) -> None:
    page = console_client(make_staff("lead", guangdong, Role.LEADER)).get("/console/").content.decode()
    assert 'data-figure="received"' in page and 'data-figure="overdue"' in page
