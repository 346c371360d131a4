"""Document numbers (文号): 粤公信告〔2026〕17号 — organ code, series, year, serial — unique per organ and year.

The serial comes from the organ's ``DocumentCounter`` row for the year and series, moved on with a
conditional ``UPDATE … WHERE issued = <as read>`` inside the caller's transaction: of two workers
numbering at once, one wins and the other reads again, and a notice that rolls back takes its
number with it, so a committed year has no gaps.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import F

from xinfang.notices.defaults import PROVINCE_ABBREVIATIONS
from xinfang.notices.models import DocumentCounter, IssuerCode
from xinfang.orgs.choices import UnitLevel
from xinfang.orgs.models import Unit

_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|地区|省|市|盟|州|区|县)$")


def default_issuer_code(unit: Unit) -> str:
    """粤公信 for Guangdong's department, 粤广州公信 for Guangzhou, 粤天河公信 for Tianhe; 公信 for the Ministry."""
    if unit.level == UnitLevel.MINISTRY:
        return "公信"
    province = PROVINCE_ABBREVIATIONS.get(unit.division_code[:2], "")
    if unit.level == UnitLevel.PROVINCE:
        return f"{province}公信"
    place = _SUFFIX.sub("", unit.division_name) if len(unit.division_name) > 2 else unit.division_name
    return f"{province}{place}公信"


def issuer_code(unit: Unit) -> str:
    row = IssuerCode.objects.filter(unit=unit).values_list("code", flat=True).first()
    return row or default_issuer_code(unit)


def format_number(code: str, series: str, year: int, serial: int) -> str:
    return f"{code}{series}〔{year}〕{serial}号"


def next_serial(unit: Unit, year: int, series: str) -> int:
    """Take the next serial of ``unit``'s ``series`` in ``year``. Call inside ``transaction.atomic``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_serial must run inside transaction.atomic")
    while True:
        row = DocumentCounter.objects.filter(unit=unit, year=year, series=series).values_list("pk", "issued").first()
        if row is None:
            try:
                with transaction.atomic():
                    DocumentCounter.objects.create(unit=unit, year=year, series=series, issued=0)
            except IntegrityError:  # another worker created it a moment ago
                pass
            continue
        pk, issued = row
        if DocumentCounter.objects.filter(pk=pk, issued=issued).update(issued=F("issued") + 1):
            return issued + 1
