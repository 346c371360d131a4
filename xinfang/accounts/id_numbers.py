"""Resident identity numbers (公民身份号码, GB 11643-1999) and mainland mobile numbers.

An 18-character number is: a 6-digit address code, an 8-digit birth date (YYYYMMDD), a 3-digit
sequence and a check character computed over the first 17 digits (ISO 7064 MOD 11-2; ``X``
stands for 10). The 15-digit numbers issued before 1999 are no longer valid documents.
"""

from __future__ import annotations

import datetime as dt
import re

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
ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
MOBILE_SHAPE = re.compile(r"^1[3-9]\d{9}$")


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


def normalise_resident_id(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    """The number in its stored form (upper-case ``X``), or a ValidationError that says what is wrong."""
    number = normalise_resident_id(value)
    if re.fullmatch(r"\d{15}", number):
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
    """``+86 138-0013-8000`` → ``13800138000``."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> str:
    """A mainland mobile number in its stored form (11 digits starting with 1), or a ValidationError."""
    number = normalise_mobile(value)
    if not MOBILE_SHAPE.match(number):
        raise ValidationError(_("请填写 11 位的手机号码。"), code="mobile")
    return number
