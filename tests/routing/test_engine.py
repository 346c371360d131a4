"""Routing over the real unit tree: where a letter goes, and the reasons an acceptor reads."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from django.utils import translation

from tests.routing.conftest import Route, unit
from xinfang.accounts.models import User
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import unit_merge
from xinfang.routing.engine import RoutingRequest
from xinfang.vocabulary import LetterType

COMPLAINT, REPORT, INQUIRY, REQUEST = LetterType.COMPLAINT, LetterType.REPORT, LetterType.INQUIRY, LetterType.REQUEST
TRAFFIC, CRIMINAL, EXIT_ENTRY = PoliceType.TRAFFIC, PoliceType.CRIMINAL, PoliceType.EXIT_ENTRY
HOUSEHOLD, PUBLIC_ORDER = PoliceType.HOUSEHOLD, PoliceType.PUBLIC_ORDER

PLACE = ("territorial",)
SHARED = ("territorial", "no_police_type")
TYPED = ("territorial", "police_type")
UP_ONE = ("recusal", "graded", "oversight")
UP_TWO = ("recusal", "leadership", "oversight")


class Case(NamedTuple):
    mailbox: str
    place: str
    police_type: str
    letter_type: str
    accused: str | None
    leadership: bool
    unit: str
    codes: tuple[str, ...]
    text: str = ""


def case(
    mailbox: str,
    place: str,
    unit: str,
    codes: tuple[str, ...],
    *,
    police: str = "",
    type: str = INQUIRY,
    accused: str | None = None,
    leadership: bool = False,
    text: str = "",
) -> Case:
    return Case(mailbox, place, police, type, accused, leadership, unit, codes, text)


CASES = {
    # Territorial management through the Guangdong department's mailbox.
    "gd-district-traffic": case(
        "gd",
        "440106",
        "440106-traffic",
        TYPED,
        police=TRAFFIC,
        text="地点 440106（天河区）属于广州市公安局天河区分局管辖",
    ),
    "gd-district-no-type": case("gd", "440106", "440106", SHARED, type=REQUEST, text="未指定警种"),
    "gd-city-criminal": case("gd", "440100", "440100-criminal", TYPED, police=CRIMINAL, type=COMPLAINT),
    "gd-province-household": case("gd", "440000", "440000-household", TYPED, police=HOUSEHOLD),
    "gd-county": case("gd", "441322", "441322-public_order", TYPED, police=PUBLIC_ORDER),
    "gd-unknown-county-code": case("gd", "440199", "440100", ("place_prefix", *SHARED)),
    "gd-no-place": case("gd", "", "440000", ("no_place", "no_police_type"), text="信件未写明地点"),
    "gd-garbage-place": case("gd", "abc", "440000", ("unknown_place", "no_police_type")),
    "gd-unknown-province": case("gd", "990000", "440000", ("unknown_place", "no_police_type")),
    "gd-beijing-place": case(
        "gd", "110105", "440000", (*PLACE, "outside_mailbox", "no_police_type"), text="信件不转出辖区"
    ),
    # A city mailbox stays inside the city.
    "shenzhen-district": case("gd-shenzhen", "440305", "440305-household", TYPED, police=HOUSEHOLD),
    "shenzhen-city": case("gd-shenzhen", "440300", "440300", SHARED),
    "shenzhen-guangzhou-place": case(
        "gd-shenzhen",
        "440106",
        "440300",
        (*PLACE, "outside_mailbox", "no_police_type"),
        text="该地点不在本信箱主管单位深圳市公安局的辖区内",
    ),
    "shenzhen-province-place": case(
        "gd-shenzhen", "440000", "440300-traffic", (*PLACE, "outside_mailbox", "police_type"), police=TRAFFIC
    ),
    # Cities without counties: a town's sub-bureau (tests/routing/test_towns_and_stations.py).
    "dongguan": case("gd", "441900", "441900-traffic", TYPED, police=TRAFFIC),
    "dongguan-town": case(
        "gd",
        "441900113",
        "441900113-household",
        TYPED,
        police=HOUSEHOLD,
        text="地点 441900113（大朗镇）属于东莞市公安局大朗分局管辖",
    ),
    "dongguan-mailbox-town": case("gd-dongguan", "441900113", "441900113", SHARED),
    "dongguan-village": case(
        "gd-dongguan",
        "441900113201",
        "441900113",
        ("place_prefix", *SHARED),
        text="地点代码 441900113201 不在行政区划数据中，按其所属区划 441900113（大朗镇）确定管辖",
    ),
    "zhongshan": case("gd", "442000", "442000-public_order", TYPED, police=PUBLIC_ORDER),
    "danzhou": case("hi", "460400", "460400", SHARED),
    "jiayuguan": case("gs", "620200", "620200-traffic", TYPED, police=TRAFFIC),
    # Municipalities: districts and counties are directly under the municipal bureau.
    "beijing-district": case(
        "bj", "110105", "110105-traffic", TYPED, police=TRAFFIC, text="属于北京市公安局朝阳区分局管辖"
    ),
    "beijing-haidian": case("bj", "110108", "110108", SHARED),
    "chongqing-district": case("cq", "500103", "500103-criminal", TYPED, police=CRIMINAL),
    "chongqing-county": case("cq", "500229", "500229", SHARED),
    "chongqing-beijing-place": case("cq", "110105", "500000", (*PLACE, "outside_mailbox", "no_police_type")),
    # Province-direct counties.
    "xiantao": case("hb", "429004", "429004-traffic", TYPED, police=TRAFFIC),
    "jiyuan": case("ha", "419001", "419001", SHARED),
    "hainan-qionghai": case("hi", "469002", "469002-household", TYPED, police=HOUSEHOLD),
    # The Corps and its cities.
    "corps-city": case("bt", "659001", "659001-public_order", TYPED, police=PUBLIC_ORDER),
    "corps-unknown-city": case("bt", "659099", "XPCC", SHARED),
    "corps-urumqi-place": case("bt", "650102", "XPCC", (*PLACE, "outside_mailbox", "no_police_type")),
    "xinjiang-corps-place": case("xj", "659001", "650000", (*PLACE, "outside_mailbox", "no_police_type")),
    # The national platform routes anywhere, down to the provincial organ.
    "national-guangzhou": case(
        "12389",
        "440106",
        "440000",
        (*PLACE, "national_province", "no_police_type"),
        text="12389 全国平台只分流到省级公安机关：交由广东省公安厅，再由其转交广州市公安局天河区分局",
    ),
    "national-nanjing-traffic": case(
        "12389", "320102", "320000-traffic", (*PLACE, "national_province", "police_type"), police=TRAFFIC
    ),
    "national-beijing": case("12389", "110105", "110000", (*PLACE, "national_province", "no_police_type")),
    "national-corps": case("12389", "659001", "XPCC", (*PLACE, "national_province", "no_police_type")),
    "national-sichuan": case("12389", "510000", "510000", SHARED),
    "national-no-place": case("12389", "", "MPS-discipline", ("no_place", "no_police_type")),
    # Graded responsibility and recusal.
    "accused-district": case(
        "gd",
        "440106",
        "440100-inspection",
        (*SHARED, *UP_ONE),
        type=COMPLAINT,
        accused="440106",
        text="按照分级负责原则，由上一级广州市公安局办理",
    ),
    "accused-department": case(
        "gd",
        "440106",
        "440100-discipline",
        (*TYPED, *UP_ONE),
        police=TRAFFIC,
        type=REPORT,
        accused="440106-traffic",
        text="其所属广州市公安局天河区分局及下属单位均不办理此件",
    ),
    "accused-district-leadership": case(
        "gd",
        "440106",
        "440000-inspection",
        (*SHARED, *UP_TWO),
        type=COMPLAINT,
        accused="440106",
        leadership=True,
        text="提高两级，由广东省公安厅办理",
    ),
    "accused-city": case("gd", "440100", "440000-discipline", (*SHARED, *UP_ONE), type=REPORT, accused="440100"),
    "accused-city-leadership": case(
        "gd", "440100", "MPS-inspection", (*SHARED, *UP_TWO), type=COMPLAINT, accused="440100", leadership=True
    ),
    "accused-province": case("gd", "440000", "MPS-inspection", (*SHARED, *UP_ONE), type=COMPLAINT, accused="440000"),
    "accused-province-leadership": case(
        "gd",
        "440000",
        "MPS-discipline",
        (*SHARED, *UP_TWO),
        type=REPORT,
        accused="440000",
        leadership=True,
        text="应提高两级，但最高只到中华人民共和国公安部",
    ),
    "accused-ministry": case(
        "12389",
        "",
        "MPS-discipline",
        ("no_place", "no_police_type", "recusal", "highest"),
        type=REPORT,
        accused="MPS",
        text="没有更高一级的公安机关",
    ),
    "accused-ministry-discipline": case(
        "12389",
        "",
        "MPS-inspection",
        ("no_place", "no_police_type", "recusal", "highest"),
        type=COMPLAINT,
        accused="MPS-discipline",
    ),
    "national-accused-district": case(
        "12389",
        "440106",
        "440000-discipline",
        (*PLACE, "national_province", "no_police_type", "recusal", "graded", "national_province", "oversight"),
        type=REPORT,
        accused="440106",
        text="举报违法违纪由纪检监察部门广东省公安厅纪检监察总队办理",
    ),
    "national-accused-beijing-district": case(
        "12389",
        "110105",
        "110000-discipline",
        (*PLACE, "national_province", "no_police_type", *UP_ONE),
        type=REPORT,
        accused="110105",
    ),
    "beijing-accused-district": case(
        "bj", "110105", "110000-inspection", (*TYPED, *UP_ONE), police=TRAFFIC, type=COMPLAINT, accused="110105"
    ),
    "beijing-accused-district-leadership": case(
        "bj", "110105", "MPS-inspection", (*SHARED, *UP_TWO), type=COMPLAINT, accused="110105", leadership=True
    ),
    "chongqing-accused-county": case(
        "cq", "500229", "500000-discipline", (*SHARED, *UP_ONE), type=REPORT, accused="500229"
    ),
    "xiantao-accused": case("hb", "429004", "420000-discipline", (*SHARED, *UP_ONE), type=REPORT, accused="429004"),
    "jiyuan-accused-department": case(
        "ha", "419001", "410000-inspection", (*SHARED, *UP_ONE), type=COMPLAINT, accused="419001-traffic"
    ),
    "corps-city-accused": case("bt", "659001", "XPCC-discipline", (*SHARED, *UP_ONE), type=REPORT, accused="659001"),
    "shenzhen-accused-district": case(
        "gd-shenzhen", "440305", "440300-inspection", (*SHARED, *UP_ONE), type=COMPLAINT, accused="440305"
    ),
    "shenzhen-accused-city": case(
        "gd-shenzhen",
        "440305",
        "440000-inspection",
        (*TYPED, *UP_ONE),
        police=TRAFFIC,
        type=COMPLAINT,
        accused="440300",
    ),
    "dongguan-town-accused-city": case(
        "gd", "441900113", "440000-inspection", (*SHARED, *UP_ONE), type=COMPLAINT, accused="441900"
    ),
    "dongguan-town-accused-sub-bureau": case(
        "gd", "441900113", "441900-inspection", (*SHARED, *UP_ONE), type=COMPLAINT, accused="441900113"
    ),
    "gd-accused-beijing-district": case(
        "gd",
        "110105",
        "110000-inspection",
        (*PLACE, "outside_mailbox", "no_police_type", *UP_ONE),
        type=COMPLAINT,
        accused="110105",
    ),
    "inquiry-naming-a-unit-is-no-accusation": case("gd", "440106", "440106", SHARED, accused="440106"),
}


@pytest.mark.parametrize("expected", CASES.values(), ids=CASES.keys())
def test_it_proposes_the_responsible_unit_with_its_reasons(route: Route, expected: Case) -> None:
    proposal = route(
        expected.mailbox,
        expected.place,
        police_type=expected.police_type,
        letter_type=expected.letter_type,
        accused=expected.accused,
        leadership=expected.leadership,
    )

    assert proposal.unit.code == expected.unit, proposal.explanation
    assert proposal.reason_codes == expected.codes, proposal.explanation
    assert expected.text in proposal.explanation


def test_the_table_covers_at_least_forty_letters() -> None:
    assert len(CASES) >= 40


def test_an_accusation_forbids_the_accused_bureau_and_everything_under_it(route: Route) -> None:
    proposal = route("gd", "440106", letter_type=COMPLAINT, accused="440106-traffic")

    assert proposal.recusal_floor is not None and proposal.recusal_floor.code == "440106"
    for code in ["440106", "440106-traffic", "440106-inspection"]:
        assert not proposal.allows(unit(code)), code
    for code in ["440100", "440100-inspection", "440000-discipline", "440103", "440300-inspection"]:
        assert proposal.allows(unit(code)), code


def test_a_letter_without_accusation_lets_the_acceptor_choose_any_unit(route: Route) -> None:
    proposal = route("gd", "440106", police_type=TRAFFIC)

    assert proposal.recusal_floor is None
    assert proposal.allows(unit("440106"))


def test_when_the_ministry_is_accused_only_its_own_oversight_department_may_take_the_letter(route: Route) -> None:
    proposal = route("12389", "", letter_type=REPORT, accused="MPS-traffic")

    assert proposal.unit.code == "MPS-discipline"
    assert proposal.allows(proposal.unit)
    assert not proposal.allows(unit("MPS-inspection"))
    assert not proposal.allows(unit("440000"))


def test_it_creates_a_county_department_the_first_time_a_letter_needs_it(route: Route) -> None:
    assert not Unit.objects.filter(code="441322-narcotics").exists()

    proposal = route("gd", "441322", police_type=PoliceType.NARCOTICS)

    assert proposal.unit.code == "441322-narcotics"
    assert proposal.unit.bureau.code == "441322"


def test_the_explanation_reads_in_english(route: Route) -> None:
    proposal = route("gd", "440106", police_type=TRAFFIC, letter_type=COMPLAINT, accused="440106")
    with translation.override("en"):  # reasons render in the reader's language, whatever the router's
        explanation = proposal.explanation
    assert "The place 440106 (Tianhe District) is under the jurisdiction of" in explanation
    assert "Police Inspection Division, Guangzhou City Public Security Bureau" in explanation
    assert "二" not in explanation and "由" not in explanation


def test_it_refuses_an_unknown_police_type(gd_mailbox: Mailbox) -> None:
    with pytest.raises(ValueError, match="police type"):
        RoutingRequest(mailbox=gd_mailbox, letter_type=INQUIRY, police_type="swat")


def test_a_place_of_a_merged_county_goes_to_the_bureau_it_was_merged_into(route: Route, acceptor: User) -> None:
    unit_merge(source=unit("441322"), target=unit("441302"), actor=acceptor, reason="区划调整")

    proposal = route("gd", "441322", police_type=TRAFFIC)

    assert proposal.unit.code == "441302-traffic"
    assert proposal.reason_codes == ("merged", "territorial", "police_type")
    assert "博罗县公安局已并入惠州市公安局惠城区分局" in proposal.explanation
    assert "地点 441322（博罗县）属于惠州市公安局惠城区分局管辖" in proposal.explanation


# Inspection or discipline follows the matter (issue 20 §1): the acceptor's choice of oversight department
# (or the analysis suggestion the acceptor applied) stands; the letter type only sets the default.
INSPECTION, DISCIPLINE = PoliceType.INSPECTION, PoliceType.DISCIPLINE
CHOSEN = "按所反映问题的性质"
NATIONAL_CONDUCT = ("territorial", "national_province", "police_type", *UP_ONE[:2], "national_province", "oversight")
OVERSIGHT_CASES = {
    "report-of-conduct-to-inspection": case(
        "gd", "440106", "440100-inspection", (*TYPED, *UP_ONE), police=INSPECTION, type=REPORT, accused="440106",
        text=CHOSEN,
    ),
    "complaint-of-bribes-to-discipline": case(
        "gd", "440106", "440100-discipline", (*TYPED, *UP_ONE), police=DISCIPLINE, type=COMPLAINT, accused="440106",
        text=CHOSEN,
    ),
    "report-without-a-choice-to-discipline": case(
        "gd", "440106", "440100-discipline", (*SHARED, *UP_ONE), type=REPORT, accused="440106", text="举报违法违纪"
    ),
    "complaint-without-a-choice-to-inspection": case(
        "gd", "440106", "440100-inspection", (*SHARED, *UP_ONE), type=COMPLAINT, accused="440106", text="投诉由督察"
    ),
    "officer-department-is-no-choice": case(
        "gd", "440106", "440100-discipline", (*TYPED, *UP_ONE), police=TRAFFIC, type=REPORT, accused="440106"
    ),
    "leadership-conduct-two-levels-up": case(
        "gd", "440106", "440000-inspection", (*TYPED, *UP_TWO), police=INSPECTION, type=REPORT, accused="440106",
        leadership=True, text=CHOSEN,
    ),
    "city-accused-bribes": case(
        "gd", "440100", "440000-discipline", (*TYPED, *UP_ONE), police=DISCIPLINE, type=COMPLAINT, accused="440100",
        text=CHOSEN,
    ),
    "national-platform-conduct": case(
        "12389", "440106", "440000-inspection", NATIONAL_CONDUCT,
        police=INSPECTION, type=REPORT, accused="440106", text=CHOSEN,
    ),
}  # fmt: skip


@pytest.mark.parametrize("expected", OVERSIGHT_CASES.values(), ids=OVERSIGHT_CASES.keys())
def test_inspection_or_discipline_follows_the_matter(route: Route, expected: Case) -> None:
    test_it_proposes_the_responsible_unit_with_its_reasons(route, expected)
