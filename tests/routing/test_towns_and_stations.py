"""Cities without counties and police stations in routing and recusal (issue 20 §1).

Rule 1: a letter about a town of 东莞, 中山, 儋州 or 嘉峪关 (its nine-digit statistical code, or a
village's twelve) goes to the town's sub-bureau. Rule 2: a letter accusing a sub-bureau goes to its
city bureau, not the province. Rule 3: a letter accusing a police station goes above the station's
county-level bureau. Rule 4: a station is a unit the acceptor may choose, under its bureau, unless
recusal keeps it out. Each case is a letter as the acceptor sees it and the unit it must reach."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from tests.conftest import make_staff
from tests.routing.conftest import Route, route_letter
from xinfang.accounts.models import Role, User
from xinfang.letters.access import letters_visible_to
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.services import letter_accept, letter_assign, letter_set_accused, letter_submit
from xinfang.orgs.choices import PoliceType, UnitKind
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.recusal import accused_ids_recusing, recused
from xinfang.orgs.selectors import units_matching
from xinfang.orgs.services import station_create
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import Channel, LetterType

COMPLAINT, REPORT = LetterType.COMPLAINT, LetterType.REPORT


class Place(NamedTuple):
    mailbox: str
    place: str
    police_type: str
    unit: str


TOWN_PLACES = {
    "dongguan-changan": Place("gd-dongguan", "441900119", "", "441900119"),
    "dongguan-changan-traffic": Place("gd-dongguan", "441900119", PoliceType.TRAFFIC, "441900119-traffic"),
    "dongguan-a-village-of-humen": Place("gd-dongguan", "441900121201", "public_order", "441900121-public_order"),
    "dongguan-songshan-lake-zone": Place("gd-dongguan", "441900401", "", "441900401"),
    "zhongshan-guzhen": Place("gd-zhongshan", "442000105", PoliceType.CRIMINAL, "442000105-criminal"),
    "danzhou-nada": Place("hi-danzhou", "460400100", "", "460400100"),
    "jiayuguan-xiongguan": Place("gs-jiayuguan", "620201001", "", "620201001"),
    "provincial-mailbox-reaches-the-town": Place("gd", "441900119", "", "441900119"),
    "yangpu-has-no-sub-bureau-here": Place("hi-danzhou", "460400499", "", "460400"),
    "guangzhou-town-code-is-its-district": Place("gd", "440106001", "", "440106"),
    "exit-entry-in-a-town-is-the-citys": Place("gd-dongguan", "441900119", "exit_entry", "441900-exit_entry"),
}  # fmt: skip


@pytest.mark.parametrize("expected", TOWN_PLACES.values(), ids=TOWN_PLACES.keys())
def test_a_letter_about_a_town_goes_to_its_sub_bureau(route: Route, expected: Place) -> None:
    text = "护照换发" if expected.police_type == PoliceType.EXIT_ENTRY else ""
    proposal = route(expected.mailbox, expected.place, police_type=expected.police_type, text=text)

    assert proposal.unit.code == expected.unit, proposal.explanation


def test_the_reason_names_the_town(route: Route) -> None:
    proposal = route("gd-dongguan", "441900119")
    assert "地点 441900119（长安镇）属于东莞市公安局长安分局管辖。" in proposal.explanation


class Accusation(NamedTuple):
    mailbox: str
    letter_type: str
    accused: str
    leadership: bool
    unit: str


SUB_BUREAU_ACCUSED = {
    "changan-report-to-the-city-discipline": Accusation("gd-dongguan", REPORT, "441900119", False, "441900-discipline"),
    "changan-complaint-inspection": Accusation("gd-dongguan", COMPLAINT, "441900119", False, "441900-inspection"),
    "a-department-of-changan": Accusation("gd-dongguan", COMPLAINT, "441900119-traffic", False, "441900-inspection"),
    "changan-leadership-two-levels-up": Accusation("gd-dongguan", REPORT, "441900119", True, "440000-discipline"),
    "zhongshan-xiaolan": Accusation("gd-zhongshan", REPORT, "442000118", False, "442000-discipline"),
    "danzhou-nada": Accusation("hi-danzhou", COMPLAINT, "460400100", False, "460400-inspection"),
    "jiayuguan-wenshu": Accusation("gs-jiayuguan", REPORT, "620201102", False, "620200-discipline"),
    "provincial-mailbox-hands-it-to-the-city": Accusation("gd", REPORT, "441900119", False, "441900-discipline"),
}  # fmt: skip


@pytest.mark.parametrize("expected", SUB_BUREAU_ACCUSED.values(), ids=SUB_BUREAU_ACCUSED.keys())
def test_a_letter_accusing_a_sub_bureau_goes_to_its_city_bureau(route: Route, expected: Accusation) -> None:
    proposal = route(expected.mailbox, letter_type=expected.letter_type, accused=expected.accused,
                     leadership=expected.leadership)  # fmt: skip

    assert proposal.unit.code == expected.unit, proposal.explanation
    assert proposal.recusal_floor is not None and proposal.recusal_floor.code == expected.accused.partition("-")[0]


def station(bureau_code: str, name: str) -> Unit:
    return station_create(bureau=Unit.objects.get(code=bureau_code), name=name, actor=None)


STATION_ACCUSED = {
    "shipai-report-goes-above-tianhe": ("gd", REPORT, "440106", "石牌派出所", False, "440100-discipline"),
    "shipai-complaint-goes-above-tianhe": ("gd", COMPLAINT, "440106", "石牌派出所", False, "440100-inspection"),
    "shipai-leadership-two-levels-up": ("gd", REPORT, "440106", "石牌派出所", True, "440000-discipline"),
    "a-station-of-changan-to-dongguan": ("gd-dongguan", REPORT, "441900119", "乌沙派出所", False, "441900-discipline"),
    "beijing-station-to-the-municipal": ("bj", COMPLAINT, "110105", "三里屯派出所", False, "110000-inspection"),
    "a-xiantao-station-goes-to-hubei": ("hb", REPORT, "429004", "沙嘴派出所", False, "420000-discipline"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("mailbox", "letter_type", "bureau", "name", "leadership", "expected"),
    STATION_ACCUSED.values(),
    ids=STATION_ACCUSED.keys(),
)
def test_a_letter_accusing_a_station_goes_above_its_county_bureau(
    tree: None, mailbox: str, letter_type: str, bureau: str, name: str, leadership: bool, expected: str
) -> None:
    accused = station(bureau, name)
    proposal = route_letter(mailbox, letter_type=letter_type, accused=accused.code, leadership=leadership)

    assert proposal.unit.code == expected, proposal.explanation
    assert proposal.recusal_floor == Unit.objects.get(code=bureau)
    assert "其所属" in proposal.explanation  # the acceptor reads that the station's bureau is out too


class Choice(NamedTuple):
    accused: str  # "" no accusation, "shipai" the first station, or a bureau code
    chosen: str  # "shipai", "tangxia" (the second station) or a unit code
    allowed: bool


CHOICES = {
    "no-accusation-the-station-may-be-chosen": Choice("", "shipai", True),
    "accusing-the-station-it-may-not": Choice("shipai", "shipai", False),
    "accusing-the-station-nor-its-sibling": Choice("shipai", "tangxia", False),
    "accusing-the-station-nor-its-bureau": Choice("shipai", "440106", False),
    "accusing-the-station-the-city-may": Choice("shipai", "440100", True),
    "accusing-the-bureau-nor-its-station": Choice("440106", "shipai", False),
    "accusing-another-district-the-station-may": Choice("440104", "shipai", True),
}  # fmt: skip


@pytest.mark.parametrize("expected", CHOICES.values(), ids=CHOICES.keys())
def test_recusal_treats_a_station_as_part_of_its_bureau(tree: None, expected: Choice) -> None:
    stations = {"shipai": station("440106", "石牌派出所"), "tangxia": station("440106", "棠下派出所")}
    accused = stations[expected.accused].code if expected.accused in stations else expected.accused
    chosen = stations.get(expected.chosen) or Unit.objects.get(code=expected.chosen)
    proposal = route_letter("gd", "440106", letter_type=COMPLAINT, accused=accused or None)

    assert proposal.allows(chosen) == expected.allowed
    hidden = accused_ids_recusing(chosen)  # the query form of the rule agrees with the one-unit form
    accused_unit = Unit.objects.get(code=accused) if accused else None
    assert (accused_unit is not None and accused_unit.pk in hidden) == recused(chosen, accused_unit)


def test_a_station_is_in_the_desk_unit_picker_under_its_bureau_and_can_receive_a_letter(
    tree: None, citizen: User, acceptor: User
) -> None:
    shipai = station("440106", "石牌派出所")
    assert shipai in units_matching("石牌", within=Unit.objects.get(code="440100"))
    assert shipai not in units_matching("石牌", within=Unit.objects.get(code="440300"))
    letter = letter_submit(
        mailbox=Mailbox.objects.get(slug="gd"), actor=citizen, letter_type=LetterType.SUGGESTION, channel=Channel.WEB,
        subject="石牌村夜间巡逻", text="石牌村晚上巷子里没有灯，希望派出所多巡逻。", division_code="440106",
    ).letter  # fmt: skip
    letter_accept(letter=letter, actor=acceptor)

    letter_assign(letter=letter, actor=acceptor, unit=shipai, reason="石牌村属石牌派出所辖区")

    letter.refresh_from_db()
    assert letter.handling_unit == shipai
    assert shipai.kind == UnitKind.STATION and shipai.bureau == shipai  # its own staff handle its letters


def test_a_letter_accusing_a_dongguan_sub_bureau_is_handled_by_the_dongguan_city_bureau(
    tree: None, citizen: User
) -> None:
    """End to end through the services: submitted to the Dongguan mailbox, accepted and routed by
    its desk, handled by the city bureau's discipline department, never seen at 长安分局."""
    changan = Unit.objects.get(code="441900119")
    dongguan = Unit.objects.get(code="441900")
    desk = make_staff("dg-acceptor", dongguan, Role.ACCEPTOR)
    changan_handler = make_staff("changan-handler", changan, Role.HANDLER, Role.ACCEPTOR, Role.LEADER)
    letter = letter_submit(
        mailbox=Mailbox.objects.get(slug="gd-dongguan"), actor=citizen, letter_type=REPORT, channel=Channel.WEB,
        subject="长安分局民警收受红包", text="东莞市长安镇，长安分局一名民警办案时收受当事人红包。",
        division_code="441900119", accused_unit=changan,
    ).letter  # fmt: skip
    assert letter.intake_unit == dongguan
    letter_accept(letter=letter, actor=desk)
    letter_set_accused(letter=letter, actor=desk, accused_unit=changan)
    proposal = propose_for_letter(letter)

    letter_assign(letter=letter, actor=desk, unit=proposal.unit)

    letter.refresh_from_db()
    assert letter.handling_unit is not None
    assert letter.handling_unit.code == "441900-discipline"
    assert letter.handling_unit.bureau == dongguan
    assert not letters_visible_to(changan_handler).filter(pk=letter.pk).exists()
    with pytest.raises(LifecycleError):  # nor may the desk send it down to the accused sub-bureau
        letter_assign(letter=letter, actor=desk, unit=changan, reason="试")
