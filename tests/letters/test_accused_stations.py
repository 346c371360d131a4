"""Police stations named in a letter's text (issue 20 §1): whom the letter accuses, and where routing
then sends it.

Rule 1: a station the tree has is found by its own name, after its place or bureau, or in English.
Rule 2: a station the tree does not have, named after a place, stands for that place's county bureau
(any station word: 派出所, 警务室, 警务站, 边境派出所, 治安派出所, 交警中队). Rule 3: such a station named
with no place stands for the letter's county bureau, and for nothing when the letter's place is not
a county. Rule 4: only complaints and reports accuse; a letter addressed to a unit accuses the unit it
complains of. Rule 5: a post that points at one person (交警, 值班民警) accuses the bureau of the
letter's place. Either way recusal lifts the letter above the county bureau."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from tests.conftest import make_staff, unit
from tests.letters.conftest import submit
from xinfang.accounts.models import Role, User
from xinfang.letters.accusation import accused_named_in, propose_accused, units_named_in
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_set_accused
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import station_create
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import LetterType

COMPLAINT, REPORT, REQUEST = LetterType.COMPLAINT, LetterType.REPORT, LetterType.REQUEST


@pytest.fixture
def stations(tree: None) -> dict[str, Unit]:
    """Stations an administrator has added: two in Tianhe, one in Haizhu with a name Tianhe also has."""
    return {
        "shipai": station_create(bureau=unit("440106"), name="石牌派出所", name_en="Shipai Police Station", actor=None),
        "chebei": station_create(bureau=unit("440106"), name="车陂村警务室", actor=None),
        "tianhe-chengguan": station_create(bureau=unit("440106"), name="城关派出所", actor=None),
        "haizhu-chengguan": station_create(bureau=unit("440105"), name="城关派出所", actor=None),
        "guicheng": station_create(bureau=unit("440605"), name="桂城派出所", actor=None),
    }


def resolve(stations: dict[str, Unit], key: str) -> Unit | None:
    """A station by its key in ``stations``, else a unit by its code ("" is None)."""
    return (stations.get(key) or Unit.objects.get(code=key)) if key else None


class Named(NamedTuple):
    text: str
    near: str  # the letter's place (its bureau's code)
    unit: str  # a station's key in ``stations``, or a unit code


IN_THE_TREE = {
    "own-name": Named("石牌派出所的民警态度恶劣，我要投诉。", "440100", "shipai"),
    "after-the-place": Named("天河区石牌派出所不给我开证明，推诿了三次。", "440100", "shipai"),
    "after-a-short-place": Named("天河石牌派出所的辅警骂人。", "440000", "shipai"),
    "after-the-bureau": Named("广州市公安局天河区分局石牌派出所不作为。", "440000", "shipai"),
    "a-post-room": Named("车陂村警务室的社区民警收了我两千块。", "440100", "chebei"),
    "english": Named("Shipai police station refused to take my report.", "440100", "shipai"),
    "shared-name-decided-by-the-place": Named("城关派出所的值班民警不出警。", "440105", "haizhu-chengguan"),
    "qualified-name": Named("南海区桂城治安派出所民警每月收管理费。", "440600", "guicheng"),
}  # fmt: skip


@pytest.mark.parametrize("case", IN_THE_TREE.values(), ids=IN_THE_TREE.keys())
def test_a_station_in_the_tree_is_found_by_its_name(stations: dict[str, Unit], case: Named) -> None:
    named = units_named_in(case.text, near=unit(case.near))

    assert [m.unit for m in named] == [stations[case.unit]]


NOT_IN_THE_TREE = {
    "station": Named("番禺区市桥派出所的辅警乱收费。", "440100", "440113"),
    "post-room": Named("白云区嘉禾警务室的民警推诿。", "440100", "440111"),
    "police-post": Named("深圳福田口岸警务站的辅警不管盗窃。", "440300", "440304"),
    "border-station": Named("瑞丽市姐告边境派出所有民警收钱帮人偷渡。", "530000", "533102"),
    "public-order-station": Named("佛山顺德区大良治安派出所的民警吃拿卡要。", "440600", "440606"),
    "traffic-squad": Named("顺德区容桂交警中队乱扣车。", "440600", "440606"),
    "detention-centre": Named("番禺区看守所不让律师会见。", "440100", "440113"),
}  # fmt: skip


@pytest.mark.parametrize("case", NOT_IN_THE_TREE.values(), ids=NOT_IN_THE_TREE.keys())
def test_a_station_not_in_the_tree_named_after_a_place_is_that_places_bureau(tree: None, case: Named) -> None:
    named = units_named_in(case.text, near=unit(case.near))

    assert [m.unit.code for m in named] == [case.unit]


WITHOUT_A_PLACE = {
    "station-in-the-letters-county": Named("市桥派出所的辅警让我交加急费。", "440113", "440113"),
    "post-room-in-the-letters-county": Named("我们村的警务室民警从来不在。", "440106", "440106"),
    "a-town-sub-bureau-is-county-level": Named("乌沙派出所的民警不出警。", "441900119", "441900119"),
    "english-station-unknown": Named("The Xinan police station ignored my report.", "440306", "440306"),
    "a-city-is-not-the-stations-bureau": Named("市桥派出所的辅警让我交加急费。", "440100", ""),
    "a-province-neither": Named("某派出所民警不作为。", "440000", ""),
}  # fmt: skip


@pytest.mark.parametrize("case", WITHOUT_A_PLACE.values(), ids=WITHOUT_A_PLACE.keys())
def test_a_station_not_in_the_tree_named_without_a_place_is_the_letters_county_bureau(tree: None, case: Named) -> None:
    named = units_named_in(case.text, near=unit(case.near))

    assert [m.unit.code for m in named] == ([case.unit] if case.unit else [])


TOWN_SUB_BUREAUS = {
    "short-form-after-its-city": Named("举报东莞凤岗分局一名民警收受好处。", "440000", "441900117"),
    "short-form-alone": Named("小榄分局的民警办案拖了半年。", "442000", "442000118"),
    "a-streets-sub-bureau": Named("嘉峪关雄关分局民警态度恶劣。", "620200", "620201001"),
    "a-short-form-shared-with-a-district-near-dongguan": Named("东城分局的辅警乱收费。", "441900", "441900003"),
    "a-short-form-shared-with-a-district-near-beijing": Named("东城分局的辅警乱收费。", "110000", "110101"),
    "a-town-after-its-city-with-a-station": Named("中山三乡派出所的民警推诿。", "440000", "442000114"),
    "an-everyday-word-names-no-town-alone": Named("三角派出所的民警推诿。", "440100", ""),
}  # fmt: skip


@pytest.mark.parametrize("case", TOWN_SUB_BUREAUS.values(), ids=TOWN_SUB_BUREAUS.keys())
def test_a_town_sub_bureau_is_found_by_the_towns_short_name(tree: None, case: Named) -> None:
    """Town and street names are shortened as district names are (塘厦镇 → 塘厦分局, 东城街道 → 东城分局)."""
    named = units_named_in(case.text, near=unit(case.near))

    assert [m.unit.code for m in named] == ([case.unit] if case.unit else [])


PLACE_AND_POST = {
    "a-district-and-its-traffic-police": Named("罗湖区交警在路口乱罚款。", "440300", "440303"),
    "a-short-form-and-an-auxiliary": Named("海珠的辅警推了我一把。", "440100", "440105"),
    "a-county-and-a-duty-officer": Named("从化区值班民警接到报警后不出警。", "440100", "440117"),
    "a-team-is-still-a-team": Named("罗湖交警大队不给我事故认定书。", "440300", "440303"),
    "a-place-alone-is-no-unit": Named("我在罗湖被人打了，民警不管。", "440300", ""),
}  # fmt: skip


@pytest.mark.parametrize("case", PLACE_AND_POST.values(), ids=PLACE_AND_POST.keys())
def test_a_post_named_after_its_place_is_that_places_bureau(tree: None, case: Named) -> None:
    named = units_named_in(case.text, near=unit(case.near))

    assert [m.unit.code for m in named] == ([case.unit] if case.unit else [])


class Accuses(NamedTuple):
    text: str
    letter_type: str
    unit: str  # "" when the letter accuses no one


ACCUSES = {
    "a-request-for-help-at-a-station": Accuses("我去天河区石牌派出所报案，请求帮我找回手机。", REQUEST, ""),
    "an-inquiry-about-a-station": Accuses("请问天河区石牌派出所周六能办居住证吗？", LetterType.INQUIRY, ""),
    "praise-for-a-station": Accuses("感谢天河区石牌派出所的民警帮我找回孩子。", LetterType.PRAISE, ""),
    "a-suggestion-to-a-station": Accuses("建议番禺区市桥派出所晚上多巡逻。", LetterType.SUGGESTION, ""),
    "a-complaint-against-it": Accuses("天河区石牌派出所不出警，我要投诉。", COMPLAINT, "shipai"),
    "a-report-against-it": Accuses("举报番禺区市桥派出所的辅警收钱。", REPORT, "440113"),
    "the-addressee-is-passed-over": Accuses("广东省公安厅领导：番禺区市桥派出所的辅警收钱。", REPORT, "440113"),
    "also-with-a-greeting": Accuses("广州市公安局各位领导，您好：天河区石牌派出所推诿。", COMPLAINT, "shipai"),
    "complaining-to-a-unit-is-not-addressing-it": Accuses(
        "投诉广州市公安局出入境管理支队：让我跑了三次。", COMPLAINT, "440100-exit_entry"
    ),
    "the-addressee-alone-is-still-the-accused": Accuses("广州市公安局领导：你们的民警不作为。", COMPLAINT, "440100"),
    "the-addressee-is-passed-over-for-a-post-and-its-place": Accuses(
        "广州市公安局各位领导：白云区的交警扣了我的车，不给任何手续。", COMPLAINT, "440111"
    ),
}


@pytest.mark.parametrize("case", ACCUSES.values(), ids=ACCUSES.keys())
def test_only_complaints_and_reports_accuse_and_the_addressee_is_passed_over(
    stations: dict[str, Unit], case: Accuses
) -> None:
    accused = accused_named_in(case.text, letter_type=case.letter_type, near=unit("440100"))

    assert (accused.unit if accused else None) == resolve(stations, case.unit)


class AtTheDesk(NamedTuple):
    text: str
    letter_type: str
    place: str
    accused: str  # the unit the desk is asked to confirm ("" none)
    routed: str  # where routing then proposes to send the letter


AT_THE_DESK = {
    "a-station-in-the-tree-goes-above-its-county": AtTheDesk(
        "石牌派出所的民警态度恶劣，推诿，我要投诉。", COMPLAINT, "440106", "shipai", "440100-inspection"
    ),
    "a-station-not-in-the-tree-likewise": AtTheDesk(
        "市桥派出所的辅警收了我两百块加急费，举报。", REPORT, "440113", "440113", "440100-discipline"
    ),
    "a-town-station-goes-to-the-city": AtTheDesk(
        "乌沙派出所的民警收受红包，举报。", REPORT, "441900119", "441900119", "441900-discipline"
    ),
    "a-post-names-the-places-bureau": AtTheDesk(
        "交警在路口拦车乱罚款，不开票，我要投诉。", COMPLAINT, "440112", "440112", "440100-inspection"
    ),
    "a-duty-officer-likewise": AtTheDesk(
        "值班民警对我的报警不理睬，投诉。", COMPLAINT, "440104", "440104", "440100-inspection"
    ),
    "a-post-without-a-place-accuses-no-one": AtTheDesk(
        "交警在路口拦车乱罚款，不开票，我要投诉。", COMPLAINT, "", "", "440000"
    ),
    "a-letter-to-the-city-about-a-post-in-its-place": AtTheDesk(
        "广州市公安局领导：昨晚我在岗顶被交警拦下，态度蛮横，还乱扣分。",
        COMPLAINT,
        "440106",
        "440106",
        "440100-inspection",
    ),
    "a-letter-to-the-city-about-a-named-officer-in-its-place": AtTheDesk(
        "广州市公安局领导：民警李某某收了对方的钱，举报。", REPORT, "440111", "440111", "440100-discipline"
    ),
    "a-letter-to-the-city-about-its-own-officers": AtTheDesk(
        "广州市公安局领导：你们的民警不作为，我要投诉。", COMPLAINT, "440106", "440100", "440000-inspection"
    ),
    "a-request-at-a-station-stays-below": AtTheDesk(
        "我去石牌派出所报案，请求帮我找回手机。", REQUEST, "440106", "", "440106"
    ),
}


@pytest.mark.parametrize("case", AT_THE_DESK.values(), ids=AT_THE_DESK.keys())
def test_the_desk_is_asked_to_confirm_the_accused_and_recusal_lifts_the_letter(
    stations: dict[str, Unit], citizen: User, gd_mailbox: Mailbox, case: AtTheDesk
) -> None:
    letter = Letter(mailbox=gd_mailbox, intake_unit=gd_mailbox.owner, subject="", text=case.text,
                    letter_type=case.letter_type, division_code=case.place)  # fmt: skip
    proposal = propose_accused(letter)
    assert proposal.unit == resolve(stations, case.accused), proposal.reasons

    letter.accused_unit = proposal.unit
    assert propose_for_letter(letter).unit.code == case.routed


def test_a_complaint_naming_a_station_is_handled_above_the_stations_bureau(
    stations: dict[str, Unit], citizen: User
) -> None:
    """Submitted through the Guangzhou mailbox, confirmed at its desk, routed above 天河分局."""
    gz_mailbox = Mailbox.objects.get(owner=unit("440100"))
    letter = submit(
        citizen, gz_mailbox, text="石牌派出所的民警不出警，态度恶劣，我要投诉。", division_code="440106"
    ).letter
    desk = make_staff("gz-desk", unit("440100"), Role.ACCEPTOR)
    proposal = propose_accused(letter)
    assert proposal.unit == stations["shipai"]

    letter_set_accused(letter=letter, actor=desk, accused_unit=proposal.unit, reason="信件内容指明石牌派出所")

    routed = propose_for_letter(letter)
    assert routed.unit.code == "440100-inspection"
    assert routed.recusal_floor == unit("440106") and not routed.allows(stations["tianhe-chengguan"])


INTAKE = {
    "addressed-to-the-city-complaining-of-a-station": ("广州市公安局领导：石牌派出所的民警不出警。", "440100"),
    "addressed-to-the-city-complaining-of-the-city": ("广州市公安局领导：你们的民警不作为，我要投诉。", "440000"),
    "complaining-of-the-city-bureau-itself": ("投诉广州市公安局出入境管理支队推诿。", "440000"),
    "a-request-naming-the-city-bureau": ("广州市公安局领导：请帮我查一下天河区的户口迁移进度。", "440100"),
    "a-station-of-another-district": ("尊敬的广州市公安局：海珠区某派出所民警推诿。", "440100"),
}  # fmt: skip


@pytest.mark.parametrize(("text", "desk"), INTAKE.values(), ids=INTAKE.keys())
def test_the_unit_a_letter_is_addressed_to_does_not_move_its_desk_unless_it_is_the_accused(
    stations: dict[str, Unit], citizen: User, text: str, desk: str
) -> None:
    gz_mailbox = Mailbox.objects.get(owner=unit("440100"))
    letter_type = REQUEST if "请帮" in text else COMPLAINT
    letter = submit(citizen, gz_mailbox, letter_type=letter_type, text=text, division_code="").letter

    assert letter.intake_unit == unit(desk)
