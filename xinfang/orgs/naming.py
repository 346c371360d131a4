"""Names of public security organs composed from the division they police.

Chinese practice: a province's organ is a 公安厅, a municipality's (and every city's) a 公安局, a
prefecture (地区) or league (盟) has a 公安处, and a city district has a 分局 of its city bureau.
"""

from __future__ import annotations

from functools import cache

from django.utils import translation

from xinfang.orgs.choices import DEPARTMENT_SUFFIX_ZH, POLICE_TYPE_NAME_EN, PoliceType, UnitLevel

MINISTRY_NAME = "中华人民共和国公安部"
MINISTRY_NAME_EN = "Ministry of Public Security"
XPCC_BUREAU_NAME = "新疆生产建设兵团公安局"
XPCC_BUREAU_NAME_EN = "Public Security Bureau of the Xinjiang Production and Construction Corps"


def bureau_names(
    *,
    division_name: str,
    division_name_en: str,
    division_type: str,
    level: str,
    parent_division: tuple[str, str] | None,
) -> tuple[str, str]:
    """Return the (Chinese, English) name of the bureau policing a division."""
    if division_type == "兵团":
        return XPCC_BUREAU_NAME, XPCC_BUREAU_NAME_EN
    if level == UnitLevel.PROVINCE and division_type in {"省", "自治区"}:
        return f"{division_name}公安厅", f"Department of Public Security of {division_name_en}"
    if division_type in {"地区", "盟"}:
        return f"{division_name}公安处", f"{division_name_en} Public Security Division"
    if division_type == "市辖区" and parent_division is not None:
        city, city_en = parent_division
        return f"{city}公安局{division_name}分局", f"{division_name_en} Branch, {city_en} Public Security Bureau"
    return f"{division_name}公安局", f"{division_name_en} Public Security Bureau"


@cache
def _label_zh(police_type: str) -> str:
    """The Chinese label of a police type (asked 4,758 times when the tree loads; switching the
    language each time took a few seconds of it)."""
    with translation.override("zh-hans"):
        return str(PoliceType(police_type).label)


def department_names(*, bureau_name: str, bureau_name_en: str, level: str, police_type: str) -> tuple[str, str]:
    label = _label_zh(police_type)
    suffix = DEPARTMENT_SUFFIX_ZH[UnitLevel(level)]
    return f"{bureau_name}{label}{suffix}", f"{POLICE_TYPE_NAME_EN[PoliceType(police_type)]}, {bureau_name_en}"
