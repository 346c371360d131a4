"""Where a letter is about: division names in its text → a GB/T 2260 division code.

People write places as the tree names them (``广州市天河区``) and, more often, in short forms
(``天河``, ``宝安``, ``南海``, ``仙桃``, ``石河子``). The dictionary is the committed divisions file
(docs/units-data.md), which stops at county level, and the towns file: the towns and streets of the
four cities without counties (东莞, 中山, 儋州, 嘉峪关), whose sub-bureaus are in the tree. Town names
repeat all over the country, so a town counts only where its city is known: named in the letter,
the mailbox's own city, or the letter's stated place.

1. Names: every division's full name, and its short form: the name without its type ending
   (区, 县, 市, 自治县 …, and the peoples named before 自治县/自治州: ``恩施土家族苗族自治州`` → 恩施).
   Short forms of one character, or that are everyday words (``平安``, ``东方``, ``长寿``), are left out.
2. A short form followed by a road word (``天河路``, ``中山大道``) names a road, not a place.
3. A name shared by several divisions (``鼓楼区``, ``朝阳``) is decided, in order, by a division
   above or below it named elsewhere in the letter, the mailbox's jurisdiction, and nearness to the
   letter's stated place; a tie is left out rather than guessed.
4. The place is the most specific division named (county before prefecture before province);
   between two of the same level, the one the rest of the letter supports, then the first named.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIVISIONS_FILE = Path(__file__).resolve().parent.parent / "orgs" / "data" / "divisions.json"
TOWNS_FILE = DIVISIONS_FILE.with_name("towns.json")
LEVELS = {"province": 1, "prefecture": 2, "county": 3}
TOWN = 4
# Type endings, longest first ("自治县" before "县").
ENDINGS = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "地区", "林区", "特区", "街道",
    "省", "市", "区", "县", "旗", "盟", "镇",
)  # fmt: skip
# Short forms of towns that are everyday words (港口 a port, 民众 the public, 古镇 an old town), or
# that would swallow the next name (中山港 in 中山港口镇).
TOWN_NOT_SHORT_FORMS = frozenset(("港口", "三角", "民众", "中和", "大成", "王五", "文殊", "古镇", "新州", "中山港"))
PEOPLES = re.compile(r"^([\u4e00-\u9fff]{2,}?)(?:[\u4e00-\u9fff]{1,4}?族)+$")
# Short forms that are everyday words in a letter, or generic.
NOT_SHORT_FORMS = frozenset((
    "公安", "城区", "郊区", "新区", "矿区", "市中", "市辖", "东区", "西区", "南区", "北区", "城中",
    "城东", "城西", "城北", "城关", "和平", "平安", "东方", "长寿", "太平", "安宁", "永安", "安定",
    "开发", "高新", "江南", "河东", "河西", "新华", "长安", "向阳", "红旗", "宁安", "大方", "合作",
    "普安", "新市", "桥东", "桥西", "铁东", "铁西", "永和", "团结", "光明", "和顺", "兴业", "新城",
    "古城", "城厢",
))  # fmt: skip
ROAD_AFTER = re.compile(r"(?:路|街|大道|大街|道|巷|广场|公园|小区|花园|大厦|中学|小学|大学|医院|站)")
MAX_NAME = 20


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int  # 1 province, 2 prefecture, 3 county, 4 town or street
    parent: str


@dataclass(frozen=True)
class PlaceMention:
    division: Division
    start: int
    words: str
    short: bool  # named by its short form


@dataclass(frozen=True)
class PlaceGuess:
    """The division the text names, how sure we are (0–1), and the words behind it."""

    division: Division
    confidence: float
    words: tuple[str, ...]


@cache
def divisions() -> dict[str, Division]:
    rows = json.loads(DIVISIONS_FILE.read_text(encoding="utf-8"))
    table = {r["code"]: Division(r["code"], r["name"], LEVELS[r["level"]], r["parent"]) for r in rows}
    for town in json.loads(TOWNS_FILE.read_text(encoding="utf-8")):
        table[town["code"]] = Division(town["code"], town["name"], TOWN, town["parent"])
    return table


def short_form(name: str) -> str:
    """``天河区`` → 天河, ``恩施土家族苗族自治州`` → 恩施; the name itself if nothing usable is left."""
    for ending in ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            stem = name[: -len(ending)]
            peoples = PEOPLES.match(stem) if ending.startswith("自治") else None
            stem = peoples.group(1) if peoples else stem
            return stem if len(stem) >= 2 and stem not in NOT_SHORT_FORMS else name
    return name


@cache
def _names() -> dict[str, tuple[tuple[str, bool], ...]]:
    """Each name → the (code, is-short-form) of the divisions it may mean."""
    found: dict[str, dict[tuple[str, bool], None]] = {}
    for division in divisions().values():
        found.setdefault(division.name, {})[(division.code, False)] = None
        short = short_form(division.name)
        if short != division.name and not (division.level == TOWN and short in TOWN_NOT_SHORT_FORMS):
            found.setdefault(short, {})[(division.code, True)] = None
            if division.name.endswith("自治州"):  # 恩施州, 延边州
                found.setdefault(short + "州", {})[(division.code, False)] = None
    return {name: tuple(codes) for name, codes in found.items()}


def ancestors(code: str) -> list[str]:
    """The codes above ``code``, nearest first."""
    chain: list[str] = []
    table = divisions()
    parent = table[code].parent if code in table else ""
    while parent and parent in table and parent not in chain:
        chain.append(parent)
        parent = table[parent].parent
    return chain


def within(code: str, outer: str) -> bool:
    return code == outer or outer in ancestors(code)


def _shared(a: str, b: str) -> int:
    """How many levels two divisions share (0: different provinces)."""
    return len({a, *ancestors(a)} & {b, *ancestors(b)})


def mentions_in(text: str) -> list[tuple[int, str, tuple[tuple[str, bool], ...]]]:
    """(start, words, candidates) for each division name in ``text``, longest name first, left to right."""
    names = _names()
    found = []
    i = 0
    while i < len(text):
        for length in range(min(MAX_NAME, len(text) - i), 1, -1):
            words = text[i : i + length]
            candidates = names.get(words)
            if candidates is None:
                continue
            if all(short for _c, short in candidates) and ROAD_AFTER.match(text, i + length):
                continue
            found.append((i, words, candidates))
            i += length - 1
            break
        i += 1
    return found


def places_named_in(text: str, *, jurisdiction: str = "", stated: str = "") -> list[PlaceMention]:
    """The divisions ``text`` names, each resolved (see the module docstring, step 3) or left out."""
    raw = mentions_in(text)
    sure = {cands[0][0] for _i, _w, cands in raw if len(cands) == 1}

    def resolve(candidates: tuple[tuple[str, bool], ...]) -> tuple[str, bool] | None:
        if len(candidates) < 2:
            return candidates[0] if candidates else None
        return _decide(candidates, sure, jurisdiction, stated)

    # Towns last: a town counts only inside a city that the rest of the letter, the mailbox or the
    # stated place names (town names repeat all over the country).
    not_towns = [resolve(tuple(c for c in named if divisions()[c[0]].level != TOWN)) for _s, _w, named in raw]
    known = {chosen[0] for chosen in not_towns if chosen is not None} | {jurisdiction, stated[:9], stated[:6]}
    result: list[PlaceMention] = []
    for start, words, named in raw:
        chosen = resolve(tuple(c for c in named if divisions()[c[0]].level != TOWN or _city_known(c[0], known)))
        if chosen is not None:
            result.append(PlaceMention(divisions()[chosen[0]], start, words, chosen[1]))
    return result


def _city_known(town: str, known: set[str]) -> bool:
    """Whether a division in ``known`` (named in the letter, the mailbox's, the stated place) lies
    in the town's city (the city itself, or one of its towns)."""
    city = divisions()[town].parent
    return any(code in divisions() and within(code, city) for code in known)


def _decide(
    candidates: tuple[tuple[str, bool], ...], sure: set[str], jurisdiction: str, stated: str
) -> tuple[str, bool] | None:
    def score(candidate: tuple[str, bool]) -> tuple[int, int, int, int]:
        code, short = candidate
        family = {code, *ancestors(code)}
        supported = any(s in family or code in ancestors(s) for s in sure)
        inside = bool(jurisdiction) and within(code, jurisdiction)
        near = _shared(code, stated) if stated in divisions() else 0
        return (int(supported), int(inside), near, int(not short))

    ranked = sorted(candidates, key=score, reverse=True)
    if score(ranked[0]) == score(ranked[1]):
        return None
    return ranked[0]


def guess_place(text: str, *, jurisdiction: str = "", stated: str = "") -> PlaceGuess | None:
    """The most specific division the text names (step 4), or None."""
    mentions = places_named_in(text, jurisdiction=jurisdiction, stated=stated)
    if not mentions:
        return None
    codes = {m.division.code for m in mentions}

    def rank(m: PlaceMention) -> tuple[int, int, int]:
        support = sum(1 for a in ancestors(m.division.code) if a in codes)
        return (m.division.level, support, -m.start)

    best = max(mentions, key=rank)
    family = {best.division.code, *ancestors(best.division.code)}
    words = tuple(dict.fromkeys(m.words for m in mentions if m.division.code in family))
    confidence = 0.6 if best.short else 0.8
    if len(words) > 1:
        confidence += 0.15
    if len({m.division.code for m in mentions if m.division.level == best.division.level}) > 1:
        confidence -= 0.2  # two places of the same level: the letter may be about either
    return PlaceGuess(best.division, round(min(confidence, 0.95), 2), words)
