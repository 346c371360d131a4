"""Places below the county (issue 20 §1): towns, townships and streets of every county, from the
National Bureau of Statistics' town-level codes (``xinfang/orgs/data/streets.json``), read as their
county where the rest of the letter or the mailbox says which one (docs/analysis.md, section 2)."""

from __future__ import annotations

import pytest

from tests.analysis.test_english_places import Place
from xinfang.analysis.places import guess_place

STREETS = {
    "a-street-through-its-city-mailbox": Place("车陂那边的夜市每晚都有人打架", "440100", "440106"),
    "a-street-through-its-province-mailbox": Place("我在福永上班，宿舍里的东西被偷了", "440000", "440306"),
    "a-municipality-street": Place("望京的一家按摩店里有人卖淫", "110000", "110105"),
    "three-characters-need-no-marker": Place("锁金村菜场门口有人卖假烟", "320100", "320102"),
    "after-a-place-name": Place("我住洪山的卓刀泉，家里被盗了", "", "420111"),
    "a-road-named-after-the-street": Place("狮子山路上有人飙车", "510100", "510104"),
    "refines-the-county-named": Place("海淀区清华园附近有人发小广告办假证", "110000", "110108"),
    "in-english-with-its-city": Place("My scooter was stolen at Zhongguancun in Beijing last night.", "", "110108"),
    "in-english-with-a-marker": Place("Someone broke into our shop in Lingyin last week.", "330100", "330106"),
    "in-english-with-a-station-after-it": Place("A man groped my girl at Lujiazui metro station.", "310000", "310115"),
}  # fmt: skip


@pytest.mark.parametrize("case", STREETS.values(), ids=STREETS.keys())
def test_a_street_below_the_county_is_read_as_its_county(case: Place) -> None:
    guess = guess_place(case.text, jurisdiction=case.jurisdiction)

    assert guess is not None and guess.division.code == case.code, guess


NOT_STREETS = {
    # 三里屯街道 is in 北京朝阳 and in 河北正定: with no province to choose by, no place.
    "a-name-shared-by-two-provinces-through-12389": Place("三里屯派出所的民警很负责", "", ""),
    "outside-the-mailbox-with-no-place-named": Place("我家在卓刀泉，孩子走丢了", "440100", ""),
    "two-characters-with-no-marker": Place("民治理念要落实到每个派出所", "440300", ""),
    "an-everyday-word-that-is-also-a-town": Place("希望你们能给个说法", "440000", ""),
    "a-street-contradicting-the-district-named": Place("我住在越秀区，石牌的朋友说的", "440100", "440104"),
    "english-two-syllables-with-no-marker": Place("Bantian, as usual, was crowded.", "440300", ""),
}  # fmt: skip


@pytest.mark.parametrize("case", NOT_STREETS.values(), ids=NOT_STREETS.keys())
def test_a_street_counts_only_where_its_county_can_be_told(case: Place) -> None:
    guess = guess_place(case.text, jurisdiction=case.jurisdiction)

    assert (guess.division.code if guess else "") == case.code, guess
