"""Resident identity numbers (公民身份号码, GB 11643-1999) and mainland mobile numbers.

An 18-character number is: a 6-digit address code, an 8-digit birth date (YYYYMMDD), a 3-digit
sequence and a check character computed over the first 17 digits (ISO 7064 MOD 11-2; ``X``
stands for 10). The 15-digit numbers issued before 1999 are no longer valid documents.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
# First two digits of the address code: the provinces, and 81/82/83 for the residence permits of
# Hong Kong, Macao and Taiwan residents, which use the same format.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82", "83",
    }
)  # fmt: skip
# ASCII digits only: ``\d`` also takes Arabic-Indic or Devanagari digits, which NFKC leaves alone.
ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
MOBILE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")
# What people put between the characters of a number: spaces of any width, dashes and dots
# (after NFKC, so full-width ones are caught too).
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.\u3002\u00b7\u30fb]+")
# Longest a typed mobile number may be before it is normalised (``+86 138-0013-8000`` is 17).
MOBILE_MAX_TYPED = 20


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def birth_date(number: str) -> dt.date | None:
    """The birth date encoded in an 18-character number, or None if it is not a calendar date."""
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def normalise_identifier(value: str) -> str:
    """The one spelling of a typed identity number (ID, mobile, badge), before it is validated,
    compared or hashed: NFKC (full-width ``４４０１…ｘ`` becomes ``4401…x``), no separators,
    upper case. Without it the same number typed two ways is two numbers: two accounts for
    one ID, a second SMS allowance for one phone, a seat's look-up that misses the caller.
    """
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def normalise_resident_id(value: str) -> str:
    return normalise_identifier(value)


def normalise_badge_number(value: str) -> str:
    """A police badge number (警号) as stored and compared: ``０１２ ３４５`` → ``012345``.

    Typed free-form and checked only for length, so a text that NFKC would lengthen (``㍿``
    is four characters) is no badge number and is kept as typed rather than outgrow its column.
    """
    normalised = normalise_identifier(value)
    return normalised if len(normalised) <= len(value) else value


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    """The number in its stored form (upper-case ``X``), or a ValidationError that says what is wrong."""
    number = normalise_resident_id(value)
    if re.fullmatch(r"[0-9]{15}", number):
        raise ValidationError(_("15 位的旧身份证号码已停止使用，请填写 18 位的公民身份号码。"), code="legacy_15_digits")
    if not ID_SHAPE.match(number):
        raise ValidationError(_("身份证号码应为 18 位：前 17 位是数字，最后一位是数字或 X。"), code="shape")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(_("身份证号码的前两位不是有效的省级行政区划代码。"), code="region")
    born = birth_date(number)
    if born is None:
        raise ValidationError(
            _("身份证号码中的出生日期 %(date)s 不是有效日期。") % {"date": number[6:14]}, code="birth_date"
        )
    if not EARLIEST_BIRTH <= born <= (today or timezone.localdate()):
        raise ValidationError(
            _("身份证号码中的出生日期 %(date)s 不合理。") % {"date": born.isoformat()}, code="birth_date"
        )
    if check_character(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码的校验位不正确，请核对后重新填写。"), code="check_digit")
    return number


def normalise_mobile(value: str) -> str:
    """``+86 138-0013-8000`` (or in full-width digits) → ``13800138000``."""
    digits = re.sub(r"[()]", "", normalise_identifier(value))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("861"):  # the country code without its plus
        digits = digits[2:]
    return digits


def validate_mobile(value: str) -> str:
    """A mainland mobile number in its stored form (11 digits starting with 1), or a ValidationError."""
    if len(value or "") > MOBILE_MAX_TYPED:
        raise ValidationError(
            _("手机号码太长：最多 %(limit)d 个字符，请只填写 11 位手机号码。") % {"limit": MOBILE_MAX_TYPED},
            code="mobile_length",
        )
    number = normalise_mobile(value)
    if not MOBILE_SHAPE.match(number):
        raise ValidationError(_("请填写 11 位的手机号码。"), code="mobile")
    return number
