"""Derive ``xinfang/orgs/data/romanised.json`` once: how letters written in English spell each division.

Run by hand when ``divisions.json`` or ``towns.json`` change (``python scripts/derive_romanised.py``);
the output is committed, so ``pypinyin`` (a development requirement) is not needed at run time.
``xinfang/analysis/places.py`` reads the file: a romanised name counts as the division's short form
("Longgang"), or with the English or pinyin word for the division's type ("Longgang District",
"Longgang Qu"), with the same rules as the Chinese names (docs/analysis.md, section 2).

For each division and town, the spellings of its stem (the name without its type ending and without
the peoples before 自治州/自治县: 恩施土家族苗族自治州 → 恩施):

1. The stem of the division's committed English name (``name_en``: "Tangxia Town" → Tangxia,
   "Xi'an City" → Xi'an), the pinyin of the stem read inside the whole name (``pypinyin`` chooses
   a polyphone by the words around it: 蔚县 → Yu), and of the stem alone, where these differ (all
   are kept: the writer may have used any of these readings). ``name_en`` is left out where it
   runs the peoples into the stem (``Enshitujiazumiaozu``).
2. Established English names (exonyms and spellings from the local languages) that differ from the
   pinyin: ``CONVENTIONAL``. Where the pinyin would name another place too (陕西 is also "Shanxi")
   the conventional spelling replaces it: ``REPLACING``.
3. Readings of polyphones that these place names take and ``pypinyin`` misses (单县 Shan, 覃塘 Qintang):
   ``READINGS``, kept besides the pinyin. The list is short and not complete: a miss costs an
   English letter its place suggestion, not a wrong one.

Syllables are joined as names are written (``Xi'an``, ``Chang'an``); the reader ignores case,
spaces, hyphens and apostrophes, so "Xian", "Xi'an" and "Xi An" are one spelling.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xinfang.analysis.places import DIVISIONS_FILE, TOWNS_FILE, folded, stem, type_ending  # noqa: E402

OUT = DIVISIONS_FILE.with_name("romanised.json")

# Established English names used in letters instead of the pinyin (kept besides it).
CONVENTIONAL = {
    "内蒙古自治区": ("Inner Mongolia",),
    "西藏自治区": ("Tibet",),
    "呼和浩特市": ("Hohhot",),
    "乌鲁木齐市": ("Urumqi",),
    "拉萨市": ("Lhasa",),
    "哈尔滨市": ("Harbin",),
    "喀什地区": ("Kashgar",),
    "喀什市": ("Kashgar",),
    "日喀则市": ("Shigatse",),
    "和田地区": ("Hotan",),
    "和田市": ("Hotan",),
    "阿克苏地区": ("Aksu",),
    "阿克苏市": ("Aksu",),
    "库尔勒市": ("Korla",),
    "吐鲁番市": ("Turpan",),
    "克拉玛依市": ("Karamay",),
    "伊犁哈萨克自治州": ("Ili", "Yili"),
    "博尔塔拉蒙古自治州": ("Bortala",),
    "巴音郭楞蒙古自治州": ("Bayingolin",),
    "克孜勒苏柯尔克孜自治州": ("Kizilsu",),
    "阿勒泰地区": ("Altay",),
    "阿勒泰市": ("Altay",),
    "鄂尔多斯市": ("Ordos",),
    "锡林郭勒盟": ("Xilingol",),
    "呼伦贝尔市": ("Hulunbuir",),
    "巴彦淖尔市": ("Bayannur",),
    "乌兰察布市": ("Ulanqab",),
    "阿拉善盟": ("Alxa",),
    "兴安盟": ("Hinggan",),
    "格尔木市": ("Golmud",),
    "林芝市": ("Nyingchi",),
    "昌都市": ("Qamdo", "Chamdo"),
    "那曲市": ("Nagqu",),
    "阿里地区": ("Ngari",),
}
# The conventional spelling alone: the pinyin would name another province too (山西 Shanxi).
REPLACING = {"陕西省": ("Shaanxi",)}
# Readings of polyphones in place names that pypinyin misses (kept first, besides its reading).
READINGS = {
    "单县": "Shan",
    "覃塘区": "Qintang",
    "涡阳县": "Guoyang",
    "长治市": "Changzhi",
    "洪洞县": "Hongtong",
    "繁峙县": "Fanshi",
    "六安市": "Lu'an",
    "朝阳市": "Chaoyang",
    "朝阳县": "Chaoyang",
    "乐亭县": "Laoting",
    "铅山县": "Yanshan",
    "大埔县": "Dabu",
    "番禺区": "Panyu",
    "蚌埠市": "Bengbu",
    "东阿县": "Dong'e",
}


# The English type words at the end of ``name_en`` (scripts/derive_units.py, scripts/derive_towns.py).
EN_TYPE = re.compile(
    r"(?: (?:Zhuang|Hui|Uygur))? (?:Autonomous (?:Region|Prefecture|County|Banner)|Special District|"
    r"Forestry District|Mining District|New Area|Prefecture|Province|City|District|County|Banner|League|"
    r"Town|Township|Subdistrict)$"
)


def join(syllables: list[str]) -> str:
    """``["xi", "an"]`` → Xi'an: an apostrophe before a syllable that begins with a vowel."""
    out = ""
    for i, syllable in enumerate(syllables):
        out += ("'" if i and syllable[:1] in "aoe" else "") + syllable
    return out.capitalize()


def spellings(name: str, name_en: str) -> list[str]:
    """The spellings of one division's stem, in order of preference (see the module docstring)."""
    if name in REPLACING:
        return list(REPLACING[name])
    root = stem(name)
    found = [READINGS[name]] if name in READINGS else []
    if root == name[: len(name) - len(type_ending(name))]:  # no peoples run into name_en's stem
        found.append(EN_TYPE.sub("", name_en))
    found.append(join(lazy_pinyin(name)[: len(root)]))
    found.append(join(lazy_pinyin(root)))
    found.extend(CONVENTIONAL.get(name, ()))
    kept: dict[str, str] = {}  # one spelling per reading: "Chang'an" over "Changan"
    for spelling in found:
        key = folded(spelling)
        if key not in kept or ("'" in spelling and "'" not in kept[key]):
            kept[key] = spelling
    return list(kept.values())


def main() -> None:
    rows = json.loads(DIVISIONS_FILE.read_text(encoding="utf-8"))
    rows += json.loads(TOWNS_FILE.read_text(encoding="utf-8"))
    out = [{"code": r["code"], "name": r["name"], "spellings": spellings(r["name"], r["name_en"])} for r in rows]
    OUT.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in out) + "\n]\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(out)} divisions, {sum(len(r['spellings']) for r in out)} spellings")


if __name__ == "__main__":
    main()
