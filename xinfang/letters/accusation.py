"""Whom a complaint or report accuses: read from the form's fields and from the letter's text.

Recusal (回避) protects the writer only if the product knows the accusation. A writer who names an
officer but ticks no box, or who writes "天河分局的民警……" in the text, still accuses that unit
(STYLE habit 19). This module *proposes*; the front desk decides (``services.letter_set_accused``).

The text matcher uses the unit tree's own names as its dictionary:

1. A bureau named in full (``广州市公安局天河区分局``) or in a common short form: the division and a
   bureau word (``天河区公安分局``, ``天河分局``, ``广州市局``, ``广东省公安厅``, ``广东省厅``).
2. A police-type department: a bureau followed by a police type and a unit word
   (``广州市公安局交警支队``), which is the department where the tree has it, else its bureau.
3. A police station (``…派出所``, ``…警务室``, ``…警务站``, ``…边境派出所``, ``…治安派出所``,
   ``…交警中队``; English "… police station") that administrators have added to the tree, by its own
   name (``石牌派出所``, "Shipai police station") or after its bureau or place (``天河区石牌派出所``).
4. A place followed by a station the tree does not have, a police team, a facility or a post
   (``天河区某派出所``, ``天河交警大队``, ``番禺区看守所``, ``福田区交警``, ``天河的辅警``): the bureau
   policing that place. A station
   the tree does not have named with no place: the bureau of the letter's place, when that is a
   county-level bureau (the station is in it). Recusal treats a station as its county bureau
   (``orgs.recusal``), so either way the letter goes above that bureau.
5. Names shared by several places (``朝阳区`` in Beijing and Chaoyang city, ``城关派出所``) go to the one
   nearest the letter's place (or the mailbox's unit); a tie is left out rather than guessed.
6. An officer's name or badge number in the text is a signal of an accusation even when no unit is
   named: the bureau of the letter's place (else of the mailbox) is proposed. So is a post that
   points at one person (``值班民警``, ``辅警``, ``交警``), when the letter's place is known.

Which unit a letter *accuses* (not only names) is decided in one place, :func:`accused_named_in`:
only complaints and reports accuse (a request for help at a station names the station and accuses
no one), and the unit the letter is addressed to (``广东省公安厅领导：``) is passed over for the
units it complains of; :func:`propose_accused` also passes it over for the letter's place when the
letter names only it and an officer or a post ("深圳市公安局领导：我在福田被交警……").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from xinfang.analysis.places import TOWN_NOT_SHORT_FORMS, short_form
from xinfang.letters.models import Letter
from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import bureau_of, department_of, unit_by_id
from xinfang.routing.selectors import place_of
from xinfang.table_cache import KeyedCache
from xinfang.vocabulary import ACCUSATION_TYPES

# Bureau words after a division name, by the bureau's level.
BUREAU_WORDS = {
    UnitLevel.PROVINCE: ("公安厅", "公安局", "省厅", "厅"),
    UnitLevel.PREFECTURE: ("公安局", "市公安局", "市局", "公安处", "州公安局", "州局"),
    UnitLevel.COUNTY: ("公安分局", "分局", "公安局", "区公安分局", "区分局", "县公安局", "县局", "市公安局", "区局"),
}
# Everyday names of the police types (a department is called after one of them).
POLICE_TYPE_WORDS = {
    "交警": PoliceType.TRAFFIC,
    "交通警察": PoliceType.TRAFFIC,
    "交通管理": PoliceType.TRAFFIC,
    "交管": PoliceType.TRAFFIC,
    "刑警": PoliceType.CRIMINAL,
    "刑侦": PoliceType.CRIMINAL,
    "刑事侦查": PoliceType.CRIMINAL,
    "治安": PoliceType.PUBLIC_ORDER,
    "出入境": PoliceType.EXIT_ENTRY,
    "户政": PoliceType.HOUSEHOLD,
    "网警": PoliceType.CYBER,
    "网安": PoliceType.CYBER,
    "网络安全保卫": PoliceType.CYBER,
    "经侦": PoliceType.ECONOMIC,
    "经济犯罪侦查": PoliceType.ECONOMIC,
    "禁毒": PoliceType.NARCOTICS,
    "监所": PoliceType.DETENTION,
    "监所管理": PoliceType.DETENTION,
    "法制": PoliceType.LEGAL,
    "督察": PoliceType.INSPECTION,
    "纪检监察": PoliceType.DISCIPLINE,
    "纪委": PoliceType.DISCIPLINE,
    "信访": PoliceType.PETITION,
}
TEAM_WORDS = "总队|支队|大队|中队|局|处|科|队"
_TYPES = "|".join(sorted(POLICE_TYPE_WORDS, key=len, reverse=True))
# After a bureau: one of its police-type departments ("……交警支队").
DEPARTMENT_AFTER = re.compile(rf"的?({_TYPES})(?:管理)?(?:{TEAM_WORDS})")
# The last words of a police station's or post's name, longest first ("石牌派出所", "车陂村警务室").
STATION_WORDS = ("边境派出所", "边防派出所", "治安派出所", "水上派出所", "派出所", "警务室", "警务站", "交警中队")
_STATIONS = "|".join(STATION_WORDS)
# Places inside a bureau that people name after its place ("番禺区看守所", "罗湖出入境窗口").
FACILITY_WORDS = "看守所|拘留所|戒毒所|出入境大厅|出入境窗口|出入境|户籍窗口|户籍室|车管所|办证大厅"
# Posts named after a place: the place's police ("福田区交警", "天河的辅警", "番禺值班民警").
PLACE_POSTS = "(?:值班|办案|社区|户籍|管教|窗口)?民警|辅警|协警|交警|巡警|特警|警察"
# After a place name: a police station, facility, team or post somewhere in it ("天河区石牌派出所",
# "天河交警大队", "福田区交警").
STATION_AFTER = re.compile(
    rf"[\u4e00-\u9fff]{{0,8}}?(?:{_STATIONS})|的?(?:{FACILITY_WORDS})|的?(?:{_TYPES})(?:{TEAM_WORDS})"
    rf"|的?(?:{PLACE_POSTS})"
)
# A station's own name right after its bureau ("天河分局石牌派出所").
STATION_NAME = re.compile(rf"[\u4e00-\u9fff]{{1,8}}?(?:{_STATIONS})")
STATION_WORD = re.compile(_STATIONS)
# English: "Shipai police station", "the local police station" (the name, if any, is capitalised).
EN_STATION = re.compile(r"(?:[A-Z][a-z]+[ -])*[Pp]olice (?:[Ss]tation|[Pp]ost)\b")
# Characters that cannot be part of a station's own name: "我去石牌派出所" names 石牌.
_HAN = re.compile(r"[\u4e00-\u9fff]")
NOT_IN_NAME = set("的在去到了和与是我他她它这那个一某该附近当地辖区找向从给对被把让就都也还又")
# Qualifiers people leave out: 桂城治安派出所 is also called 桂城派出所.
STATION_QUALIFIERS = re.compile(r"(?:边境|边防|治安|水上)(?=派出所$)")
# The unit a letter is addressed to, not one it complains of: "广东省公安厅领导：", "深圳市公安局各位领导，".
ADDRESSEE_AFTER = re.compile(r"的?(?:各位)?(?:领导|局长|厅长|负责同志)们?(?:您好|你好)?\s*[：:，,]")
# A post that points at one person (not "民警" in general): with the letter's place, a signal of an accusation.
POST_SIGNAL = re.compile(r"(?:值班|办案|社区|户籍|管教|窗口)民警|辅警|协警|交警(?![大支中]队|部门)")
OFFICER_SIGNALS = (
    re.compile(r"警号\s*(?:为|是|:|：)?\s*[0-9A-Za-z]{4,10}"),
    re.compile(r"(?:民警|辅警|协警|警察|交警|刑警|所长|队长|教导员|指导员)\s*[\u4e00-\u9fff]某{1,2}"),
    re.compile(r"[\u4e00-\u9fff]某?(?:警官|所长|队长|教导员|指导员)"),
)
MAX_ALIAS = 24
TOWN_CODE_LENGTH = 9  # the statistical code of a town or street (the sub-bureaus of the cities without counties)
# Short names that are ordinary words in a letter to the police (公安县 is not "公安").
NOT_SHORT_NAMES = frozenset({"公安", "城区", "郊区", "新区", "矿区", "市区", "市辖"})


@dataclass(frozen=True)
class Mention:
    """A unit named in the text, where, and the words that named it."""

    unit: Unit
    start: int
    words: str


@dataclass(frozen=True)
class AccusedProposal:
    """What the front desk is shown: the unit to confirm (None: no accusation found) and why."""

    unit: Unit | None
    reasons: tuple[str, ...]
    mentions: tuple[Mention, ...] = field(default=())
    officer_named: bool = False

    @property
    def found(self) -> bool:
        return self.unit is not None


# ---------------------------------------------------------------- the dictionary


@dataclass(frozen=True)
class _Dictionary:
    bureaus: dict[str, tuple[int, ...]]  # words naming a bureau → its ids
    places: dict[str, tuple[int, ...]]  # a place's name (needs a station or team after it) → bureau ids
    stations: dict[str, tuple[int, ...]]  # a station's full or own name ("石牌派出所") → station ids
    station_under: dict[tuple[int, str], int]  # (bureau id, own name) → the station's id
    stations_en: dict[str, tuple[int, ...]]  # "shipai police station" → station ids


@functools.cache
def _aliases(name: str, level: str, division_name: str, division_code: str) -> tuple[tuple[bool, str], ...]:
    """(is a place, words) for one bureau: its name, and its place's full and short names alone
    and with the words for a bureau of its level. The short name is the one ``analysis.places``
    reads (天河区 → 天河, 恩施土家族苗族自治州 → 恩施, 塘厦镇 → 塘厦, 东城街道 → 东城): a town's sub-bureau is
    called by it (塘厦分局), but a town's short name that is an everyday word (三角, 民众) names no
    place alone, as in ``analysis.places``. Remembered per process: the names are the same from one
    reload of the dictionary to the next, and working them out is most of a reload."""
    aliases = [(False, name)]
    if division_name:
        short = short_form(division_name, not_short=NOT_SHORT_NAMES)
        town = len(division_code) == TOWN_CODE_LENGTH
        for place in {division_name, short}:
            if not (town and place in TOWN_NOT_SHORT_FORMS):
                aliases.append((True, place))
            aliases.extend((False, place + word) for word in BUREAU_WORDS.get(UnitLevel(level), ()))
    return tuple((is_place, words) for is_place, words in aliases if len(words) >= 2)


def _add(into: dict[str, tuple[int, ...]], words: str, pk: int) -> None:
    ids = into.get(words, ())
    if pk not in ids:  # two aliases of one unit may coincide
        into[words] = (*ids, pk)


def _load(_key: str) -> _Dictionary:
    words = _Dictionary(bureaus={}, places={}, stations={}, station_under={}, stations_en={})
    by_path: dict[str, tuple[int, str]] = {}
    rows = Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).values_list(
        "pk", "name", "level", "division_name", "division_code", "path"
    )
    for pk, name, level, division_name, division_code, path in rows:
        by_path[path] = (pk, name)
        for is_place, alias in _aliases(name, level, division_name, division_code):
            _add(words.places if is_place else words.bureaus, alias, pk)
    stations = Unit.objects.filter(kind=UnitKind.STATION, is_active=True).values_list("pk", "name", "name_en", "path")
    for pk, name, name_en, path in stations:
        bureau = by_path.get(path[: -Unit.steplen])
        if bureau is None:
            continue
        _add(words.stations, name, pk)
        for own in {name.removeprefix(bureau[1]), STATION_QUALIFIERS.sub("", name.removeprefix(bureau[1]))}:
            _add(words.stations, own, pk)
            words.station_under[(bureau[0], own)] = pk
        if name_en:
            _add(words.stations_en, name_en.split(",")[0].strip().lower(), pk)
    return words


_dictionary: KeyedCache[str, _Dictionary] = KeyedCache(_load, watch=(Unit,))


# ---------------------------------------------------------------- reading the text


def units_named_in(text: str, *, near: Unit | None = None) -> list[Mention]:
    """The units ``text`` names, in order of first mention, each once (see the module docstring).

    ``near`` (the letter's place, else its mailbox's unit) decides between places of the same name,
    and is the bureau of a station the tree does not have, named with no place (when it is county-level).
    """
    words = _dictionary.get("")
    found: list[Mention] = []
    covered: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        mention, end = _mention_at(text, i, words, near)
        if mention is not None or end > i + 1:  # a name found, even one too ambiguous to place
            covered.append((i, end))
        if mention is not None:
            found.append(mention)
        i = end if mention is not None else i + 1
    found.extend(_stations_without_place(text, words, near, covered))
    unique: list[Mention] = []
    for mention in sorted(found, key=lambda m: m.start):
        if all(m.unit.pk != mention.unit.pk for m in unique):
            unique.append(mention)
    return unique


def _stations_without_place(
    text: str, words: _Dictionary, near: Unit | None, covered: list[tuple[int, int]]
) -> list[Mention]:
    """Stations named with no bureau or place before them: English names the tree has ("Shipai police
    station"), and any station the tree does not have, which is in the letter's county (``near``)."""
    county = near if near is not None and near.kind == UnitKind.BUREAU and near.level == UnitLevel.COUNTY else None
    found: list[Mention] = []
    for match in [*STATION_WORD.finditer(text), *EN_STATION.finditer(text)]:
        if any(start <= match.start() < end for start, end in covered):
            continue
        if match.re is EN_STATION:
            start, named = match.start(), match.group(0)
            ids = words.stations_en.get(named.lower(), ())
            station = _nearest(ids, near) if ids else None
        else:
            start = _name_start(text, match.start())
            named, station = text[start : match.end()], None
        unit = station or county
        if unit is not None:
            found.append(Mention(unit, start, named))
            covered.append((start, match.end()))
    return found


def _name_start(text: str, at: int) -> int:
    """Where the own name before a station word begins: "我去石牌派出所" → 石牌 (at most 6 characters)."""
    start = at
    while start > 0 and at - start < 6 and _HAN.fullmatch(text[start - 1]) and text[start - 1] not in NOT_IN_NAME:
        start -= 1
    return start


def _mention_at(text: str, i: int, words: _Dictionary, near: Unit | None) -> tuple[Mention | None, int]:
    for length in range(min(MAX_ALIAS, len(text) - i), 1, -1):
        candidate = text[i : i + length]
        end = i + length
        if candidate in words.stations:
            station = _nearest(words.stations[candidate], near)
            return (Mention(station, i, candidate) if station is not None else None), end
        if candidate in words.bureaus:
            bureau = _nearest(words.bureaus[candidate], near)
            if bureau is None:
                return None, end
            department = DEPARTMENT_AFTER.match(text, end)
            if department is not None:
                unit = department_of(bureau, POLICE_TYPE_WORDS[department.group(1)]) or bureau
                return Mention(unit, i, text[i : department.end()]), department.end()
            named = STATION_NAME.match(text, end)
            station_id = _station_under(words, bureau, named.group()) if named is not None else None
            if named is not None and station_id is not None:
                return Mention(unit_by_id(station_id), i, text[i : named.end()]), named.end()
            return Mention(bureau, i, candidate), end
        if candidate in words.places:
            after = STATION_AFTER.match(text, end)
            if after is None:
                continue  # a bare place name ("天河路") accuses no one; a shorter word may still match
            bureau = _nearest(words.places[candidate], near)
            if bureau is None:
                return None, after.end()
            if any(_inside(text, j, words, near, bureau) for j in range(end, after.end())):
                return None, end  # a place under this one follows ("广东省广州市天河区石牌派出所"): that one
            station_id = _station_under(words, bureau, after.group().removeprefix("的"))
            return Mention(unit_by_id(station_id) if station_id else bureau, i, text[i : after.end()]), after.end()
    return None, i + 1


def _station_under(words: _Dictionary, bureau: Unit, name: str) -> int | None:
    """The id of the station of ``bureau`` called ``name`` ("石牌派出所", "桂城治安派出所" for 桂城派出所)."""
    return words.station_under.get((bureau.pk, name)) or words.station_under.get(
        (bureau.pk, STATION_QUALIFIERS.sub("", name))
    )


def _inside(text: str, at: int, words: _Dictionary, near: Unit | None, outer: Unit) -> bool:
    """Whether a unit under ``outer`` is named at ``at`` (a street called 江南中路 is not a district)."""
    mention = _mention_at(text, at, words, near)[0]
    return mention is not None and mention.unit.pk != outer.pk and mention.unit.is_within(outer)


def _nearest(ids: tuple[int, ...], near: Unit | None) -> Unit | None:
    """The unit among ``ids`` sharing the longest stretch of tree path with ``near``; None on a tie."""
    units = [unit_by_id(pk) for pk in ids]
    if len(units) == 1:
        return units[0]
    if near is None:
        return None
    scored = sorted(((_shared_depth(u, near), u.depth, u.pk) for u in units), reverse=True)
    if scored[0][0] == scored[1][0]:
        return None
    return unit_by_id(scored[0][2])


def _shared_depth(unit: Unit, near: Unit) -> int:
    steps = 0
    while steps * Unit.steplen < min(len(unit.path), len(near.path)):
        start, end = steps * Unit.steplen, (steps + 1) * Unit.steplen
        if unit.path[start:end] != near.path[start:end]:
            break
        steps += 1
    return steps


def accused_named_in(
    text: str, *, letter_type: str, near: Unit | None, mentions: Sequence[Mention] | None = None
) -> Mention | None:
    """The unit a letter's text accuses, the first of :func:`accused_mentions` (None: none)."""
    found = accused_mentions(text, letter_type=letter_type, near=near, mentions=mentions)
    return found[0] if found else None


def accused_mentions(
    text: str, *, letter_type: str, near: Unit | None, mentions: Sequence[Mention] | None = None
) -> list[Mention]:
    """The units a letter's text accuses, in order: the units a complaint or report names, less the
    one it is addressed to ("广东省公安厅领导：……" complains of whom follows) unless that is all it
    names. Other letters accuse no one, whatever they name: a request for help at a station is not
    an accusation. ``mentions``: ``units_named_in(text, near=near)`` when the caller has it already."""
    if letter_type not in ACCUSATION_TYPES:
        return []
    if mentions is None:
        mentions = units_named_in(text, near=near)
    complained_of = [m for m in mentions if not _addressed(text, m)]
    return complained_of or list(mentions)


def _addressed(text: str, mention: Mention) -> bool:
    end = mention.start + len(mention.words)
    return ADDRESSEE_AFTER.match(text, end) is not None or text[max(0, mention.start - 3) : mention.start].endswith(
        ("尊敬的", "致")
    )


def _addressee_above(text: str, mention: Mention, place: Unit | None) -> bool:
    """Whether ``mention`` is the unit the letter is addressed to and the letter's place lies under it."""
    return (
        place is not None
        and place.pk != mention.unit.pk
        and place.is_within(mention.unit)
        and _addressed(text, mention)
    )


def names_an_officer(text: str) -> bool:
    """Whether ``text`` names a police officer (a badge number, "民警王某", "李警官")."""
    return any(pattern.search(text) for pattern in OFFICER_SIGNALS)


def named_unit_recusing(text: str, *, letter_type: str, division_code: str, desk: Unit) -> Unit | None:
    """The first unit ``text`` accuses (:func:`accused_mentions`: of a complaint or report, not the
    unit it is addressed to) whose recusal keeps ``desk`` (a mailbox's owner) away: such a letter is
    received above it even before anyone has decided whom it accuses, so that the accused bureau's
    own front desk never reads it (issue 13 item 1)."""
    from xinfang.orgs.recusal import recused

    near = place_bureau(division_code) or bureau_of(desk)
    accused = accused_mentions(text, letter_type=letter_type, near=near)
    return next((m.unit for m in accused if recused(desk, m.unit)), None)


# ---------------------------------------------------------------- the proposal


def officer_fields_filled(letter: Letter) -> bool:
    return bool(
        letter.accused_officer_name.strip()
        or letter.accused_badge_number.strip()
        or letter.accused_officer_post.strip()
    )


def place_bureau(division_code: str) -> Unit | None:
    """The bureau policing the letter's place, if it has a known one."""
    place = place_of(division_code.strip()) if division_code.strip() else None
    return place.bureau if place is not None else None


def propose_accused(letter: Letter) -> AccusedProposal:
    """The accused unit the front desk is asked to confirm, with every reason, for a complaint or report.

    1. The unit the writer chose or the form derived (the place's bureau when an officer is named).
    2. Else the unit the text accuses (:func:`accused_named_in`), unless that is only the unit the
       letter is addressed to, above the letter's place, and the text names an officer or a post
       ("深圳市公安局领导：我在福田被交警……"): the officer or post is the place's (3, 4).
    3. Else, when the fields or the text name an officer, the place's bureau (else the mailbox's).
    4. Else, when the text names a post that points at one person (交警, 值班民警) and the letter's
       place is known, the place's bureau.
    Units the text names besides the proposed one are listed too.
    """
    if letter.letter_type not in ACCUSATION_TYPES:
        return AccusedProposal(None, (_("只有投诉和举报涉及被反映单位。"),))
    place = place_bureau(letter.division_code)
    near = place or bureau_of(letter.mailbox.owner)
    mentions = tuple(units_named_in(letter.text, near=near))
    accused = accused_named_in(letter.text, letter_type=letter.letter_type, near=near, mentions=mentions)
    officer = officer_fields_filled(letter) or names_an_officer(letter.text)
    post = POST_SIGNAL.search(letter.text) if place is not None else None
    if accused is not None and (officer or post) and _addressee_above(letter.text, accused, place):
        accused = None
    reasons: list[str] = []
    unit: Unit | None = letter.accused_unit
    if unit is not None:
        reasons.append(_("信访人填写的被反映单位：%(unit)s。") % {"unit": unit})
    elif accused is not None:
        unit = accused.unit
    elif officer:
        unit = near
        reasons.append(_("信件指名反映民警，但未写明单位：建议认定为事发地公安机关%(unit)s。") % {"unit": unit})
    elif post is not None:
        unit = place
        text = _("信件反映%(post)s，但未写明单位：建议认定为事发地公安机关%(unit)s。")
        reasons.append(text % {"post": post.group(), "unit": unit})
    for mention in mentions:
        reasons.append(_("信件内容提到“%(words)s”：%(unit)s。") % {"words": mention.words, "unit": mention.unit})
    if officer_fields_filled(letter):
        reasons.append(_("信访人填写了被反映民警的姓名、警号或职务。"))
    elif officer:
        reasons.append(_("信件内容中有民警的姓名或警号。"))
    if unit is None:
        reasons.append(_("未发现被反映的公安机关或民警。"))
    return AccusedProposal(unit, tuple(reasons), mentions, officer)
