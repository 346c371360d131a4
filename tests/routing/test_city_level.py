"""Functions a city bureau runs for its counties (issue 20 §1): exit-entry, vehicle and driver administration.

Each case is a letter as the acceptor sees it (mailbox, place, police type, the words of the letter) and the
unit it must reach. The defaults are data (``routing.defaults``), replaced or switched off in the admin."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from django.test import Client

from tests.routing.conftest import Route
from xinfang.orgs.choices import PoliceType
from xinfang.routing.models import CityLevelFunction

EXIT_ENTRY, TRAFFIC, CYBER = PoliceType.EXIT_ENTRY, PoliceType.TRAFFIC, PoliceType.CYBER


class Case(NamedTuple):
    mailbox: str
    place: str
    police_type: str
    text: str
    unit: str
    lifted: bool


CASES = {
    "tianhe-passport": Case("gd", "440106", EXIT_ENTRY, "护照快到期了，换发要多久", "440100-exit_entry", True),
    "tianhe-driving-licence": Case("gd", "440106", TRAFFIC, "驾驶证换证，车管所让我跑三趟", "440100-traffic", True),
    "tianhe-licence-english": Case(
        "gd", "440106", TRAFFIC, "How do I renew my driver's license?", "440100-traffic", True
    ),
    "tianhe-traffic-light-stays": Case("gd", "440106", TRAFFIC, "路口红绿灯坏了三天没人修", "440106-traffic", False),
    "shenzhen-visa": Case("gd-shenzhen", "440305", EXIT_ENTRY, "港澳通行证签注", "440300-exit_entry", True),
    "beijing-district-to-the-municipal-bureau": Case(
        "bj", "110105", EXIT_ENTRY, "护照加急办理", "110000-exit_entry", True
    ),
    "xiantao-runs-its-own": Case("hb", "429004", EXIT_ENTRY, "护照换发", "429004-exit_entry", False),
    "city-letter-stays-at-the-city": Case("gd", "440100", EXIT_ENTRY, "护照换发", "440100-exit_entry", False),
    "national-platform-to-the-province": Case("12389", "440106", EXIT_ENTRY, "护照换发", "440000-exit_entry", False),
}  # fmt: skip


@pytest.mark.parametrize("expected", CASES.values(), ids=CASES.keys())
def test_a_function_run_at_city_level_goes_to_the_city_bureau(route: Route, expected: Case) -> None:
    proposal = route(expected.mailbox, expected.place, police_type=expected.police_type, text=expected.text)

    assert proposal.unit.code == expected.unit, proposal.explanation
    assert ("city_level" in proposal.reason_codes) == expected.lifted, proposal.explanation
    if expected.lifted:
        assert "不由" in proposal.explanation  # the acceptor reads why the district is not the one


def test_the_reason_reads_in_english(route: Route) -> None:
    from django.utils import translation

    proposal = route("gd", "440106", police_type=EXIT_ENTRY, text="passport")
    with translation.override("en"):
        assert "exit-entry administration is run by the city-level bureau" in proposal.explanation


def test_an_administrator_switches_a_default_off(route: Route) -> None:
    CityLevelFunction.objects.create(key="exit_entry", police_type=EXIT_ENTRY, is_active=False, reason="本市区县自办")

    assert route("gd", "440106", police_type=EXIT_ENTRY).unit.code == "440106-exit_entry"


def test_an_administrator_adds_a_function(route: Route) -> None:
    CityLevelFunction.objects.create(
        key="internet_cafes", police_type=CYBER, words="网吧，上网服务场所", reason="网吧审批由市局网安支队负责"
    )

    proposal = route("gd", "440106", police_type=CYBER, text="楼下网吧整夜营业")
    assert proposal.unit.code == "440100-cyber"
    assert "网吧审批由市局网安支队负责" in proposal.explanation
    assert route("gd", "440106", police_type=CYBER, text="被网络诈骗").unit.code == "440106-cyber"


def test_the_admin_shows_the_defaults_and_replaces_one(admin_client: Client, route: Route) -> None:
    page = admin_client.get("/admin/routing/citylevelfunction/").content.decode()
    assert "vehicle_admin" in page and "机动车登记规定" in page and "县级公安机关一般只设受理窗口" in page

    form = admin_client.get("/admin/routing/citylevelfunction/add/?key=exit_entry&police_type=exit_entry")
    assert 'value="exit_entry"' in form.content.decode()  # the edit link opens the form filled in
    saved = admin_client.post(
        "/admin/routing/citylevelfunction/add/",
        {"key": "exit_entry", "police_type": "exit_entry", "words": "", "is_active": "on",
         "reason": "本市出入境业务由市局出入境支队统一办理", "reason_en": "", "source": "市局文件"},
    )  # fmt: skip
    assert saved.status_code == 302

    page = admin_client.get("/admin/routing/citylevelfunction/").content.decode()
    assert "县级公安机关一般只设受理窗口" not in page  # the default is replaced, no longer listed
    assert "机动车登记规定" in page  # the other default still is
    proposal = route("gd", "440106", police_type=EXIT_ENTRY)
    assert proposal.unit.code == "440100-exit_entry"
    assert "本市出入境业务由市局出入境支队统一办理" in proposal.explanation
