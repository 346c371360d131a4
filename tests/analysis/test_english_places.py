"""Places named in English (issue 20 §1): pinyin and established spellings of the divisions, with or
without the word for their type, decided like the Chinese names (docs/analysis.md, section 2)."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from xinfang.analysis.places import guess_place


class Place(NamedTuple):
    text: str
    jurisdiction: str  # the mailbox's
    code: str  # "" when the text names no place we can tell


NAMED = {
    "a-short-form-within-the-mailbox": Place("A traffic officer in Baoan fined me, no ticket.", "440300", "440306"),
    "with-an-apostrophe": Place("A traffic officer in Bao'an fined me without a ticket.", "440300", "440306"),
    "with-its-type-word": Place("The duty officer at the Yuexiu District station hung up on me.", "", "440104"),
    "decided-by-the-city-named": Place("My shop near the metro in Futian, Shenzhen was broken into.", "", "440304"),
    "a-county-level-city": Place("Kunshan City police have not replied for two months.", "", "320583"),
    "a-pinyin-type-word": Place("Wuhou qu, Chengdu: my bicycle was stolen.", "", "510107"),
    "an-autonomous-prefecture": Place("I had a car accident in Enshi Prefecture.", "", "422800"),
    "an-established-english-name": Place("Herders in Inner Mongolia lost their sheep.", "", "150000"),
    "a-town-where-its-city-is-named": Place("Our factory in Humen town, Dongguan was robbed.", "", "441900121"),
    "a-word-spelling-with-its-type": Place("Boxing County, Binzhou: the police never came.", "", "371625"),
}  # fmt: skip


@pytest.mark.parametrize("case", NAMED.values(), ids=NAMED.keys())
def test_a_place_named_in_english_is_found(case: Place) -> None:
    guess = guess_place(case.text, jurisdiction=case.jurisdiction)

    assert guess is not None and guess.division.code == case.code, guess


SHARED = {
    # 黄浦区 (Shanghai) and 黄埔区 (Guangzhou) are both "Huangpu District".
    "by-the-city-named": Place("Someone stole my wallet in Huangpu District of Shanghai.", "", "310101"),
    "by-the-mailbox": Place("Someone stole my wallet in Huangpu District.", "440100", "440112"),
    "a-tie-is-left-out": Place("Someone stole my wallet in Huangpu District.", "", ""),
    "a-town-whose-city-is-unknown": Place("Our factory in Humen town was robbed.", "", ""),
}  # fmt: skip


@pytest.mark.parametrize("case", SHARED.values(), ids=SHARED.keys())
def test_a_spelling_shared_by_several_places_is_decided_as_a_chinese_name_is(case: Place) -> None:
    guess = guess_place(case.text, jurisdiction=case.jurisdiction)

    assert (guess.division.code if guess else "") == case.code


NOT_PLACES = {
    "a-persons-name": Place("Officer Wang Jinping of the traffic police shouted at me.", "440500", ""),
    "a-given-name-before-a-surname": Place("A man called Jinping Zhou took my phone.", "440500", ""),
    "an-english-word": Place("Guide me through the procedure, please.", "630000", ""),
    "an-english-word-whose-city-is-not-named": Place("Boxing is my hobby.", "370000", ""),
    "a-road": Place("There is a fight every night on Tianhe Road.", "440100", ""),
    "lower-case-without-a-type-word": Place("my longgang trip was ruined", "440300", ""),
}  # fmt: skip


@pytest.mark.parametrize("case", NOT_PLACES.values(), ids=NOT_PLACES.keys())
def test_names_words_and_roads_that_spell_like_a_place_are_not_places(case: Place) -> None:
    assert guess_place(case.text, jurisdiction=case.jurisdiction) is None
