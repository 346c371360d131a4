"""Names shared by several places (issue 20 §1), Chinese and pinyin (pinyin shares more: Huangpu is
黄浦 and 黄埔, Longgang 龙岗 and 龙港): decided by the places named for sure, the mailbox, then the other
places the letter names, and a city over its own district of the same name (docs/analysis.md, section 2)."""

from __future__ import annotations

import pytest

from tests.analysis.test_english_places import Place
from xinfang.analysis.places import guess_place

SHARED = {
    "by-a-district-of-the-same-city": Place("My phone was stolen in Huangpu on my way home to Xuhui.", "", "310101"),
    "by-a-street-of-the-same-district": Place("Our car was broken into in Longgang, by Bantian metro.", "", "440307"),
    "by-a-chinese-street": Place("我在白云的同和被人抢了包", "", "440111"),
    "by-another-district-of-the-other-city": Place("I live in Baiyun, not far from Nanming District.", "", "520113"),
    "by-the-mailbox-in-english": Place("The police in Huangpu never answered my call.", "440100", "440112"),
    "by-the-mailbox-in-chinese": Place("西湖边有人偷钱包", "360100", "360103"),
    "a-city-over-its-district": Place("我在荆州做生意，货被人拉走了", "420000", "421000"),
    "a-city-over-its-district-in-another-province": Place("吉安的派出所不给办户口", "360000", "360800"),
}  # fmt: skip


@pytest.mark.parametrize("case", SHARED.values(), ids=SHARED.keys())
def test_a_shared_name_is_decided_by_the_other_places_and_the_mailbox(case: Place) -> None:
    guess = guess_place(case.text, jurisdiction=case.jurisdiction)

    assert guess is not None and guess.division.code == case.code, guess


UNDECIDED = {
    "nothing-else-named": Place("Someone took my bike in Huangpu.", "", ""),
    "both-cities-named-as-much": Place("I moved from Huangpu to Huangpu.", "", ""),
    "longgang-through-12389": Place("The police in Longgang are slow.", "", ""),
    "gulou-through-12389": Place("鼓楼的派出所不出警", "", ""),
    "chaoyang-through-12389": Place("朝阳的交警乱罚款", "", ""),
}  # fmt: skip


@pytest.mark.parametrize("case", UNDECIDED.values(), ids=UNDECIDED.keys())
def test_a_shared_name_nothing_decides_is_left_out(case: Place) -> None:
    guess = guess_place(case.text, jurisdiction=case.jurisdiction)

    assert (guess.division.code if guess else "") == case.code, guess


def test_a_place_inside_the_mailbox_outweighs_one_named_in_passing_outside_it() -> None:
    guess = guess_place("荆州的户籍窗口能办吗？我户口在湖南", jurisdiction="420000")

    assert guess is not None and guess.division.code == "421000"
