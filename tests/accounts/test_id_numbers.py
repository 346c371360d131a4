from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from xinfang.accounts.id_numbers import MOBILE_MAX_TYPED, normalise_badge_number, validate_mobile, validate_resident_id

TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the example printed in GB 11643
        "11010519491231002x",  # a lower-case x is the same number
        "440106199001011235",
        "44030519850615002X",
        "440106200002290024",  # 29 February of a leap year
        " 4401 0619 9001 0112 35 ",  # spaces typed from the card
    ],
)
def test_it_accepts_numbers_with_the_right_check_digit(number: str) -> None:
    assert validate_resident_id(number, today=TODAY) == "".join(number.split()).upper()


def _code(number: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(number, today=TODAY)
    return str(caught.value.code)


def test_it_refuses_a_wrong_check_digit() -> None:
    assert _code("440106199001011234") == "check_digit"
    assert _code("110105194912310021") == "check_digit"


@pytest.mark.parametrize(
    "number",
    [
        "110105199902310010",  # 31 February
        "440106209912310013",  # born in 2099
        "440106189912310018",  # before 1900
    ],
)
def test_it_refuses_impossible_or_implausible_birth_dates(number: str) -> None:
    assert _code(number) == "birth_date"


def test_it_refuses_15_digit_legacy_numbers_with_a_message_that_says_so() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_resident_id("440106900101123", today=TODAY)
    assert caught.value.code == "legacy_15_digits"
    assert "18 位" in caught.value.messages[0]
    with translation.override("en"), pytest.raises(ValidationError) as in_english:
        validate_resident_id("440106900101123", today=TODAY)
    assert "18-character" in in_english.value.messages[0]


@pytest.mark.parametrize("number", ["44010619900101123", "4401061990010112355", "44010619900101123Y", ""])
def test_it_refuses_numbers_of_the_wrong_shape(number: str) -> None:
    assert _code(number) == "shape"


def test_it_refuses_an_address_code_that_is_no_province() -> None:
    assert _code("990106199001011232") == "region"


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "+86 138-0013-8000",
        "0086 13800138000",
        "138 0013 8000",
        "１３８００１３８０００",  # full-width digits
        "＋８６ １３８－００１３－８０００",
        "138.0013.8000",
    ],
)
def test_mobile_numbers_are_stored_as_eleven_digits(typed: str) -> None:
    assert validate_mobile(typed) == "13800138000"


@pytest.mark.parametrize("typed", ["12800138000", "1380013800", "020-12345678", "abc"])
def test_it_refuses_what_is_not_a_mainland_mobile_number(typed: str) -> None:
    with pytest.raises(ValidationError):
        validate_mobile(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "１１０１０５１９４９１２３１００２ｘ",  # full-width, lower-case x
        "11０１０５１９４９１２３１００２X",  # partly full-width
        "110105-19491231-002x",
        "110105.19491231.002X",
        "110105\u300019491231\u3000002X",  # ideographic spaces
    ],
)
def test_every_spelling_of_an_id_number_is_stored_as_one(typed: str) -> None:
    assert validate_resident_id(typed, today=TODAY) == "11010519491231002X"


def test_digits_of_other_scripts_are_not_taken_for_an_id_number() -> None:
    """NFKC leaves Arabic-Indic digits as they are: they would be a second spelling, so they are refused."""
    assert _code("11010519491231002\u0661") == "shape"
    with pytest.raises(ValidationError):
        validate_mobile("1380013800\u0660")


def test_a_too_long_mobile_number_is_refused_with_a_message_that_says_so() -> None:
    with pytest.raises(ValidationError) as caught, translation.override("zh-hans"):
        validate_mobile("1" * (MOBILE_MAX_TYPED + 1))
    assert "手机号码太长" in caught.value.messages[0] and str(MOBILE_MAX_TYPED) in caught.value.messages[0]


@pytest.mark.parametrize("typed", ["０１２３４５", "012 345", "012-345", "０１２　３４５"])
def test_badge_numbers_have_one_spelling(typed: str) -> None:
    assert normalise_badge_number(typed) == "012345"
