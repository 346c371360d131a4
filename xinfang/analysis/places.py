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
4. The place is the most specific division named (county before prefecture before province) inside
   the mailbox's jurisdiction, else outside it; between two of the same level, the one the rest of
   the letter supports, then the first named. A name shared by a city and its own district (荆州,
   荆州区) left undecided by step 3 is the city.
5. Towns, townships and streets of every other county (``streets.json``, from the National Bureau
   of Statistics' town-level codes: ``scripts/derive_streets.py``) are how many people name their
   place (三里屯, 坂田, 徐家汇, "Xujiahui"). Such a name is read as its county, and counts only:
   where a division above it (its county, city or province), or one in its city, is named, is the
   mailbox's jurisdiction or the stated place; where the letter names no county-level division
   other than its own (it refines, never contradicts, a county named); and, for a short form of two
   characters, with a word that marks a place next to it (在坂田, 坂田那边, 石牌派出所), since two
   characters also occur across words. A road, station or building named after it lies in it
   (三里屯路, "Xujiahui metro station"). Short forms that are everyday words, or the name of a
   county or higher, are not used (the derivation says how they were found).
6. Letters in English (or with English words) name places in pinyin or an established English
   spelling ("Longgang", "Nanshan, Shenzhen", "Hongshan district", "Xi'an", "Inner Mongolia"): the
   spellings are the committed file ``romanised.json`` (``scripts/derive_romanised.py``), read
   ignoring case, spaces, hyphens and apostrophes. A spelling followed by its type's word
   (District, County, City, Prefecture, Town … or Qu, Xian, Shi, Zhen) is the full name, and only
   divisions of that type; alone it is the short form, and counts only where the Chinese short form
   would (step 1), only capitalised, not before a road word ("Tianhe Road"), and not after a title
   or a surname ("Officer Wang Jinping"), nor before a surname ("Anping Zhou"). A spelling that is
   also an English word or a surname ("Guide", "Mile", "Yuan") counts alone only when a division
   above or below it is named too ("Yu'an, Lu'an"). Steps 3–4 follow.
7. A shared name left undecided by step 3 is decided by the other places the letter names: the
   candidate in the same city (or province) as another place named, where only one is ("Huangpu"
   with Xuhui, 龙岗 with 坂田).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

DIVISIONS_FILE = Path(__file__).resolve().parent.parent / "orgs" / "data" / "divisions.json"
TOWNS_FILE = DIVISIONS_FILE.with_name("towns.json")
LEVELS = {"province": 1, "prefecture": 2, "county": 3}
TOWN = 4
STREET = 5  # a town or street below a county that is not in the unit tree: read as its county
STREETS_FILE = DIVISIONS_FILE.with_name("streets.json")
# Next to a street's two-character short form: words that say it is a place (在坂田, 坂田那边, 石牌派出所).
STREET_BEFORE = re.compile(r"(?:在|到|去|住|从|于|来|回|经过|路过|位于|家在)$")
STREET_AFTER = re.compile(
    r"(?:派出所|警务|街道|社区|村|小区|花园|一带|附近|那边|这边|那里|这里|片区|辖区|地区|地铁|路|街|大道|"
    r"广场|市场|商圈|酒吧|的)"
)
EN_STREET_BEFORE = frozenset(("in", "at", "near", "from", "around", "to"))
# Type endings, longest first ("自治县" before "县").
ENDINGS = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "地区", "林区", "特区", "街道",
    "省", "市", "区", "县", "旗", "盟", "镇", "乡",
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

ROMANISED_FILE = DIVISIONS_FILE.with_name("romanised.json")
# The English and pinyin words for each type ending, written without spaces or hyphens.
EN_TYPES = {
    "省": ("province", "sheng"), "市": ("city", "shi", "municipality"), "区": ("district", "qu"),
    "县": ("county", "xian"), "旗": ("banner", "qi"), "盟": ("league", "meng"),
    "镇": ("town", "township", "zhen"), "乡": ("township", "town", "xiang"),
    "街道": ("subdistrict", "jiedao"), "新区": ("newarea", "newdistrict", "district", "xinqu"),
    "地区": ("prefecture", "region", "diqu"), "林区": ("forestrydistrict", "district", "linqu"),
    "特区": ("specialdistrict", "district", "tequ"), "自治区": ("autonomousregion", "region", "zizhiqu"),
    "自治州": ("autonomousprefecture", "prefecture", "zhou"), "自治县": ("autonomouscounty", "county", "xian"),
    "自治旗": ("autonomousbanner", "banner", "qi"),
}  # fmt: skip
# Spellings that are English words (found by checking every spelling against an English word list)
# or a common given name (and, below, the surnames): alone, they count only next to a division above
# or below them.
EN_WORDS = frozenset(("jingle", "hailing", "dean", "lean", "boxing", "guiding", "mile", "saga", "guide", "bole", "ali"))
EN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
EN_GAP = frozenset((" ", "-"))  # between the words of one name ("Nan Shan", "Xi-an", "Inner Mongolia")
MAX_EN_WORDS = 3
# After a short form: a road, a building or a station, not the place ("Tianhe Road", "Shenzhen Station").
EN_ROAD_AFTER = frozenset((
    "road", "rd", "street", "st", "avenue", "ave", "lane", "alley", "boulevard", "lu", "jie", "dadao",
    "square", "plaza", "park", "garden", "gardens", "mall", "building", "tower", "hospital", "university",
    "college", "school", "hotel", "station", "metro", "bridge",
))  # fmt: skip
# Before a name: a person's title or surname ("Officer Wang Jinping": Jinping is not a county); after
# it, a surname ("Anping Zhou"). Surnames alone are spellings of divisions too (裕安 Yu'an, "Yuan").
EN_TITLES = frozenset(("officer", "mr", "mrs", "ms", "miss", "dr", "sergeant", "captain", "inspector", "director",
                       "chief", "comrade", "madam"))  # fmt: skip
EN_SURNAMES = frozenset((
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
    "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng",
    "cao", "peng", "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang", "yu", "du", "ye", "cheng",
    "wei", "su", "lu", "ding", "ren", "shen", "yao", "cui", "zhong", "tan", "fan", "jin", "shi", "liao", "jia",
    "xia", "fu", "fang", "bai", "zou", "meng", "xiong", "qin", "qiu", "yin", "xue", "yan", "duan", "lei", "hou",
    "long", "tao", "gu", "mao", "hao", "gong", "shao", "qian", "dai", "mo", "kong",
))  # fmt: skip


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int  # 1 province, 2 prefecture, 3 county, 4 town or street in the tree, 5 another town or street
    parent: str
    short: str = ""  # for a STREET: the name written alone ("" where it is not used alone)


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
    for code, name, county, short, _spelling in _street_rows():
        table[code] = Division(code, name, STREET, county, short)
    return table


@cache
def _street_rows() -> list[list[str]]:
    """``[code, name, county, short form, spelling]`` per town or street (scripts/derive_streets.py)."""
    rows: list[list[str]] = json.loads(STREETS_FILE.read_text(encoding="utf-8"))
    return rows


def type_ending(name: str) -> str:
    """The division type ending of ``name`` (``区``, ``自治州``, ``街道``); "" when it has none."""
    return next((ending for ending in ENDINGS if name.endswith(ending) and len(name) > len(ending)), "")


def stem(name: str) -> str:
    """``天河区`` → 天河, ``恩施土家族苗族自治州`` → 恩施, ``塘厦镇`` → 塘厦: the name without its type
    ending, and without the peoples named before 自治…; the name itself when it has no ending."""
    ending = type_ending(name)
    root = name[: -len(ending)] if ending else name
    peoples = PEOPLES.match(root) if ending.startswith("自治") else None
    return peoples.group(1) if peoples else root


def short_form(name: str, *, not_short: frozenset[str] = NOT_SHORT_FORMS) -> str:
    """The stem people write alone (``天河``, ``恩施``, ``塘厦``); the name itself when the stem is one
    character or one of ``not_short`` (everyday words: the text around a unit's name, e.g. 分局,
    makes fewer of them ambiguous, so ``letters.accusation`` passes its own shorter list)."""
    root = stem(name)
    return root if root != name and len(root) >= 2 and root not in not_short else name


@cache
def _names() -> dict[str, tuple[tuple[str, bool], ...]]:
    """Each name → the (code, is-short-form) of the divisions it may mean."""
    found: dict[str, dict[tuple[str, bool], None]] = {}
    for division in divisions().values():
        found.setdefault(division.name, {})[(division.code, False)] = None
        short = division.short if division.level == STREET else short_form(division.name)
        if _short_form_used(division):
            found.setdefault(short, {})[(division.code, True)] = None
            if division.name.endswith("自治州"):  # 恩施州, 延边州
                found.setdefault(short + "州", {})[(division.code, False)] = None
    return {name: tuple(codes) for name, codes in found.items()}


def _short_form_used(division: Division) -> bool:
    """Whether people name ``division`` by its short form alone (step 1)."""
    if division.level == STREET:
        return bool(division.short)
    short = short_form(division.name)
    return short != division.name and not (division.level == TOWN and short in TOWN_NOT_SHORT_FORMS)


def folded(words: str) -> str:
    """ "Xi'an", "Xi An", "xi-an" → xian."""
    return re.sub(r"[^a-z]", "", words.lower())


@cache
def _spellings() -> dict[str, tuple[str, ...]]:
    """Each folded English spelling → the codes of the divisions it may mean."""
    found: dict[str, dict[str, None]] = {}
    table = divisions()
    for row in json.loads(ROMANISED_FILE.read_text(encoding="utf-8")):
        if row["code"] in table:
            for spelling in row["spellings"]:
                found.setdefault(folded(spelling), {})[row["code"]] = None
    for code, *_names, spelling in _street_rows():
        if spelling:
            found.setdefault(folded(spelling), {})[code] = None
    return {spelling: tuple(codes) for spelling, codes in found.items()}


def english_mentions_in(text: str) -> list[_Named]:
    """Each division named in English in ``text``, left to right (module docstring, step 5)."""
    words = list(EN_WORD.finditer(text))
    found: list[_Named] = []
    i = 0
    while i < len(words):
        named, used = _english_name_at(text, words, i)
        if named is not None:
            found.append(named)
        i += used
    return found


def _english_name_at(text: str, words: list[re.Match[str]], i: int) -> tuple[_Named | None, int]:
    """The division named from ``words[i]`` on (the longest spelling first), and how many words it took."""
    if i and _one_name(text, words[i - 1 : i + 1]) and _capitalised_in(words[i - 1], EN_TITLES | EN_SURNAMES):
        return None, 1
    for count in range(min(MAX_EN_WORDS, len(words) - i), 0, -1):
        name = words[i : i + count]
        spelling = folded("".join(w.group() for w in name))
        codes = _spellings().get(spelling, ())
        if not codes or not _one_name(text, name):
            continue
        for type_words in (2, 1):  # "Enshi Autonomous Prefecture", "Longgang District", "Longgang-qu"
            after = words[i + count : i + count + type_words]
            whole = len(after) == type_words and _one_name(text, [name[-1], *after])
            typed = _of_type(codes, after) if whole else ()
            if typed:
                return _Named(name[0].start(), text[name[0].start() : after[-1].end()], typed), count + type_words
        alone = tuple((c, bool(type_ending(divisions()[c].name))) for c in codes if _named_alone(divisions()[c]))
        alone = _english_here(alone, text, words, i, count)
        if not alone or not name[0].group()[0].isupper():
            return None, count
        weak = spelling in EN_WORDS or spelling in EN_SURNAMES  # "Guide", "Yuan" (裕安 Yu'an)
        return _Named(name[0].start(), text[name[0].start() : name[-1].end()], alone, weak), count
    return None, 1


def _english_here(
    candidates: tuple[tuple[str, bool], ...], text: str, words: list[re.Match[str]], i: int, count: int
) -> tuple[tuple[str, bool], ...]:
    """As :func:`_here`, in English: before a road word or a surname a short form is no place, except a
    street's before a road or station ("Xujiahui metro station"); a street's short form of two
    syllables needs "in", "at", "near"… before it, or a road, station or police word after it."""
    at = i + count
    after = words[at].group().lower() if at < len(words) and _one_name(text, words[at - 1 : at + 1]) else ""
    before = words[i - 1].group().lower() if i and text[words[i - 1].end() : words[i].start()] == " " else ""
    surname = at < len(words) and bool(after) and _capitalised_in(words[at], EN_SURNAMES)
    marked = before in EN_STREET_BEFORE or after in EN_ROAD_AFTER or after == "police"
    kept = []
    for code, short in candidates:
        division = divisions()[code]
        if division.level == STREET:
            if not surname and (len(division.short) > 2 or marked):
                kept.append((code, short))
        elif not surname and after not in EN_ROAD_AFTER:
            kept.append((code, short))
    return tuple(kept)


def _capitalised_in(word: re.Match[str], among: frozenset[str]) -> bool:
    """Whether ``word`` is capitalised and one of ``among`` (a title, a surname)."""
    return word.group()[:1].isupper() and word.group().lower() in among


def _one_name(text: str, words: list[re.Match[str]]) -> bool:
    """Whether ``words`` are written as parts of one name: one space or hyphen between each two."""
    return all(text[a.end() : b.start()] in EN_GAP for a, b in itertools.pairwise(words))


def _of_type(codes: tuple[str, ...], type_words: list[re.Match[str]]) -> tuple[tuple[str, bool], ...]:
    """The divisions among ``codes`` whose type ``type_words`` names ("District", "Xian"), by full name."""
    said = folded("".join(w.group() for w in type_words))
    return tuple((c, False) for c in codes if said in EN_TYPES.get(type_ending(divisions()[c].name), ()))


def _named_alone(division: Division) -> bool:
    """A division whose name has no type ending (松山湖, "Songshan Lake") or whose short form is used."""
    return not type_ending(division.name) or _short_form_used(division)


def ancestors(code: str) -> list[str]:
    """The codes above ``code``, nearest first."""
    return list(_chain(code))


@cache
def _chain(code: str) -> tuple[str, ...]:
    chain: list[str] = []
    table = divisions()
    parent = table[code].parent if code in table else ""
    while parent and parent in table and parent not in chain:
        chain.append(parent)
        parent = table[parent].parent
    return tuple(chain)


def within(code: str, outer: str) -> bool:
    return code == outer or outer in ancestors(code)


def _shared(a: str, b: str) -> int:
    """How many levels two divisions share (0: different provinces)."""
    return len({a, *ancestors(a)} & {b, *ancestors(b)})


class _Named(NamedTuple):
    """A name found in the text, before shared names are decided."""

    start: int
    words: str
    candidates: tuple[tuple[str, bool], ...]  # (code, named by its short form)
    needs_support: bool = False  # an English word: counts only next to a division above or below


def mentions_in(text: str) -> list[_Named]:
    """Each division name in ``text``: Chinese (longest name first, left to right), then English."""
    names = _names()
    found: list[_Named] = []
    i = 0
    while i < len(text):
        for length in range(min(MAX_NAME, len(text) - i), 1, -1):
            words = text[i : i + length]
            named = names.get(words)
            if named is None:
                continue
            after_place = bool(found) and found[-1].start + len(found[-1].words) in (i, i - 1)  # 白云的京溪
            candidates = _here(named, text, i, i + length, after_place=after_place)
            if not candidates:
                continue
            found.append(_Named(i, words, candidates))
            i += length - 1
            break
        i += 1
    return sorted([*found, *english_mentions_in(text)], key=lambda named: named.start)


def _here(
    candidates: tuple[tuple[str, bool], ...], text: str, start: int, end: int, *, after_place: bool = False
) -> tuple[tuple[str, bool], ...]:
    """The candidates a Chinese name found at ``text[start:end]`` may mean there (steps 2 and 5): a short
    form before a road word names the road, unless it is a street's (三里屯路 lies in 三里屯); a street's
    two-character short form needs a word that marks a place next to it, or a place name just before
    it (白云的京溪)."""
    road = ROAD_AFTER.match(text, end) is not None
    marked = (
        after_place
        or STREET_BEFORE.search(text[max(0, start - 2) : start]) is not None
        or STREET_AFTER.match(text, end) is not None
    )
    return tuple(
        (code, short)
        for code, short in candidates
        if not short
        or (divisions()[code].level != STREET and not road)
        or (divisions()[code].level == STREET and (end - start > 2 or marked))
    )


def places_named_in(text: str, *, jurisdiction: str = "", stated: str = "") -> list[PlaceMention]:
    """The divisions ``text`` names, each resolved (see the module docstring, step 3) or left out."""
    raw = mentions_in(text)
    sure = {
        named.candidates[0][0]
        for named in raw
        if len(named.candidates) == 1 and not named.needs_support and not _below_county(named.candidates[0][0])
    }
    raw = [_supported(named, sure) if named.needs_support else named for named in raw]

    def resolve(candidates: tuple[tuple[str, bool], ...], kin: set[str]) -> tuple[str, bool] | None:
        if len(candidates) < 2:
            return candidates[0] if candidates else None
        return _decide(candidates, sure, jurisdiction, stated, kin)

    def others(named: _Named) -> set[str]:  # the candidates of the other names (step 7)
        return {code for other in raw if other is not named for code, _short in other.candidates}

    # Towns last: a town counts only inside a city that the rest of the letter, the mailbox or the
    # stated place names (town names repeat all over the country).
    not_towns = [resolve(tuple(c for c in named.candidates if not _below_county(c[0])), others(named)) for named in raw]
    known = {chosen[0] for chosen in not_towns if chosen is not None} | {jurisdiction, stated[:9], stated[:6]}
    result: list[PlaceMention] = []
    for named in raw:
        around = others(named)
        towns_known = (c for c in named.candidates if _town_counts(c[0], known, around))
        chosen = resolve(tuple(towns_known), around)
        if chosen is not None:
            result.append(PlaceMention(divisions()[chosen[0]], named.start, named.words, chosen[1]))
    return result


def _below_county(code: str) -> bool:
    return divisions()[code].level >= TOWN


def _town_counts(code: str, known: set[str], around: set[str]) -> bool:
    """Whether the division ``code`` may be meant (steps 3 and 5): divisions of county level or above
    always; a town or street where a division above it is known, or one in its city, or one above it
    is a candidate of another name in the letter."""
    if not _below_county(code):
        return True
    chain = ancestors(code)
    city = chain[1] if len(chain) > 1 and divisions()[code].level == STREET else chain[0]
    return any(k in divisions() and (within(code, k) or within(k, city)) for k in known) or any(
        a in around for a in chain
    )


def _supported(named: _Named, sure: set[str]) -> _Named:
    """Only the candidates of ``named`` with a division above or below them named for sure."""
    kept = tuple(c for c in named.candidates if any(within(c[0], s) or within(s, c[0]) for s in sure))
    return named._replace(candidates=kept)


def _kinship(code: str, kin: frozenset[tuple[str, str]]) -> int:
    """2 when ``code`` lies in the city of one of ``kin`` (their :func:`_home`), 1 in its province, else 0."""
    province, city = _home(code)
    if (province, city) in kin:
        return 2
    return 1 if any(province == other for other, _city in kin) else 0


@cache
def _home(code: str) -> tuple[str, str]:
    """The province and the city of a division: its prefecture, else (a municipality's district) its province."""
    chain = (code, *_chain(code))
    city = next((c for c in chain if divisions()[c].level == LEVELS["prefecture"]), chain[-1])
    return chain[-1], city


def _decide(
    candidates: tuple[tuple[str, bool], ...], sure: set[str], jurisdiction: str, stated: str, kin: set[str]
) -> tuple[str, bool] | None:
    """The candidate that the places named for sure, the mailbox, the other places named (step 7), the
    stated place and the full name support, in that order; None on a tie."""
    homes = frozenset(_home(other) for other in kin if other in divisions())

    def score(candidate: tuple[str, bool]) -> tuple[int, int, int, int, int]:
        code, short = candidate
        family = {code, *ancestors(code)}
        supported = any(s in family or code in ancestors(s) for s in sure)
        inside = bool(jurisdiction) and within(code, jurisdiction)
        related = _kinship(code, homes)
        near = _shared(code, stated) if stated in divisions() else 0
        return (int(supported), int(inside), related, near, int(not short))

    ranked = sorted(candidates, key=score, reverse=True)
    tied = [c for c in ranked if score(c) == score(ranked[0])]
    outer = min(tied, key=lambda c: divisions()[c[0]].level)
    if all(within(code, outer[0]) for code, _short in tied):  # 荆州: the city, not its district 荆州区
        return outer
    return None


def guess_place(text: str, *, jurisdiction: str = "", stated: str = "") -> PlaceGuess | None:
    """The most specific division the text names (step 4), or None."""
    mentions = _refining(places_named_in(text, jurisdiction=jurisdiction, stated=stated))
    if not mentions:
        return None
    codes = {m.division.code for m in mentions}

    def rank(m: PlaceMention) -> tuple[bool, int, int, int]:
        support = sum(1 for a in ancestors(m.division.code) if a in codes)
        inside = not jurisdiction or within(m.division.code, jurisdiction)
        return (inside, m.division.level, support, -m.start)

    best = max(mentions, key=rank)
    family = {best.division.code, *ancestors(best.division.code)}
    words = tuple(dict.fromkeys(m.words for m in mentions if m.division.code in family))
    confidence = 0.6 if best.short else 0.8
    if len(words) > 1:
        confidence += 0.15
    if len({m.division.code for m in mentions if m.division.level == best.division.level}) > 1:
        confidence -= 0.2  # two places of the same level: the letter may be about either
    if best.division.level == STREET:  # not in the unit tree: its county is the place (step 5)
        return PlaceGuess(divisions()[best.division.parent], round(min(confidence, 0.95) - 0.1, 2), words)
    return PlaceGuess(best.division, round(min(confidence, 0.95), 2), words)


def _refining(mentions: list[PlaceMention]) -> list[PlaceMention]:
    """The mentions less the streets that lie outside the most specific other division named (step 5)."""
    named = [m for m in mentions if m.division.level != STREET]
    if not named:
        return mentions
    deepest = max(m.division.level for m in named)
    inside = {m.division.code for m in named if m.division.level == deepest}
    return [m for m in mentions if m.division.level != STREET or any(within(m.division.code, c) for c in inside)]
