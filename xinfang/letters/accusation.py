"""Whom a complaint or report accuses: read from the form's fields and from the letter's text.

Recusal (回避) protects the writer only if the product knows the accusation. A writer who names an
officer but ticks no box, or who writes "天河分局的民警……" in the text, still accuses that unit
(STYLE habit 19). This module *proposes*; the front desk decides (``services.letter_set_accused``).

The text matcher uses the unit tree's own names as its dictionary:

1. A bureau named in full (``广州市公安局天河区分局``) or in a common short form: the division and a
   bureau word (``天河区公安分局``, ``天河分局``, ``广州市局``, ``广东省公安厅``, ``广东省厅``).
2. A police-type department: a bureau followed by a police type and a unit word
   (``广州市公安局交警支队``), which is the department where the tree has it, else its bureau.
3. A place followed by a police station or police team (``天河区某派出所``, ``天河交警大队``): the
   bureau policing that place (the tree stops at counties, so a station stands for its county bureau).
4. Names shared by several places (``朝阳区`` in Beijing and Chaoyang city) go to the one nearest the
   letter's place (or the mailbox's unit); a tie is left out rather than guessed.
5. An officer's name or badge number in the text is a signal of an accusation even when no unit is
   named: the bureau of the letter's place (else of the mailbox) is proposed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from xinfang.letters.models import Letter
from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import bureau_of, department_of, unit_by_id
from xinfang.routing.selectors import place_of
from xinfang.table_cache import KeyedCache
from xinfang.vocabulary import ACCUSATION_TYPES

# Division-type endings removed to get the short name people use ("天河区" → "天河").
DIVISION_ENDINGS = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "州",
)
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
# After a place name: a police station or team somewhere in it ("天河区石牌派出所", "天河交警大队").
STATION_AFTER = re.compile(
    rf"[\u4e00-\u9fff]{{0,8}}?(?:派出所|警务站|警务室|边防派出所)|的?(?:{_TYPES})(?:{TEAM_WORDS})"
)
OFFICER_SIGNALS = (
    re.compile(r"警号\s*(?:为|是|:|：)?\s*[0-9A-Za-z]{4,10}"),
    re.compile(r"(?:民警|辅警|协警|警察|交警|刑警|所长|队长|教导员|指导员)\s*[\u4e00-\u9fff]某{1,2}"),
    re.compile(r"[\u4e00-\u9fff]某?(?:警官|所长|队长|教导员|指导员)"),
)
MAX_ALIAS = 24
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


def _short(division_name: str) -> str:
    for ending in DIVISION_ENDINGS:
        short = division_name[: -len(ending)]
        if division_name.endswith(ending) and len(short) >= 2 and short not in NOT_SHORT_NAMES:
            return short
    return division_name


@functools.cache
def _aliases(name: str, level: str, division_name: str) -> tuple[tuple[bool, str], ...]:
    """(is a place, words) for one bureau: its name, and its place's full and short names alone
    and with the words for a bureau of its level. Remembered per process: the names are the same
    from one reload of the dictionary to the next, and working them out is most of a reload."""
    aliases = [(False, name)]
    if division_name:
        for place in {division_name, _short(division_name)}:
            aliases.append((True, place))
            aliases.extend((False, place + word) for word in BUREAU_WORDS.get(UnitLevel(level), ()))
    return tuple((is_place, words) for is_place, words in aliases if len(words) >= 2)


def _load(_key: str) -> _Dictionary:
    bureaus: dict[str, tuple[int, ...]] = {}
    places: dict[str, tuple[int, ...]] = {}
    rows = Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).values_list("pk", "name", "level", "division_name")
    for pk, name, level, division_name in rows:
        for is_place, words in _aliases(name, level, division_name):
            into = places if is_place else bureaus
            ids = into.get(words, ())
            if pk not in ids:  # two aliases of one unit may coincide
                into[words] = (*ids, pk)
    return _Dictionary(bureaus=bureaus, places=places)


_dictionary: KeyedCache[str, _Dictionary] = KeyedCache(_load, watch=(Unit,))


# ---------------------------------------------------------------- reading the text


def units_named_in(text: str, *, near: Unit | None = None) -> list[Mention]:
    """The units ``text`` names, in order of first mention, each once (see the module docstring).

    ``near`` (the letter's place, else its mailbox's unit) decides between places of the same name.
    """
    words = _dictionary.get("")
    found: list[Mention] = []
    i = 0
    while i < len(text):
        mention, end = _mention_at(text, i, words, near)
        if mention is not None and all(m.unit.pk != mention.unit.pk for m in found):
            found.append(mention)
        i = end if mention is not None else i + 1
    return found


def _mention_at(text: str, i: int, words: _Dictionary, near: Unit | None) -> tuple[Mention | None, int]:
    for length in range(min(MAX_ALIAS, len(text) - i), 1, -1):
        candidate = text[i : i + length]
        end = i + length
        if candidate in words.bureaus:
            bureau = _nearest(words.bureaus[candidate], near)
            if bureau is None:
                return None, end
            department = DEPARTMENT_AFTER.match(text, end)
            if department is not None:
                unit = department_of(bureau, POLICE_TYPE_WORDS[department.group(1)]) or bureau
                return Mention(unit, i, text[i : department.end()]), department.end()
            return Mention(bureau, i, candidate), end
        if candidate in words.places:
            station = STATION_AFTER.match(text, end)
            if station is None:
                continue  # a bare place name ("天河路") accuses no one; a shorter word may still match
            bureau = _nearest(words.places[candidate], near)
            if bureau is None:
                return None, end
            if any(_inside(text, j, words, near, bureau) for j in range(end, station.end())):
                return None, end  # a place under this one follows ("广东省广州市天河区石牌派出所"): that one
            return Mention(bureau, i, text[i : station.end()]), station.end()
    return None, i + 1


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


def names_an_officer(text: str) -> bool:
    """Whether ``text`` names a police officer (a badge number, "民警王某", "李警官")."""
    return any(pattern.search(text) for pattern in OFFICER_SIGNALS)


def named_unit_recusing(text: str, *, letter_type: str, division_code: str, desk: Unit) -> Unit | None:
    """The first unit ``text`` names whose recusal keeps ``desk`` (a mailbox's owner) away, for a
    complaint or report: such a letter is received above it even before anyone has decided whom it
    accuses, so that the accused bureau's own front desk never reads it (issue 13 item 1)."""
    from xinfang.orgs.recusal import recused

    if letter_type not in ACCUSATION_TYPES:
        return None
    near = place_bureau(division_code) or bureau_of(desk)
    return next((m.unit for m in units_named_in(text, near=near) if recused(desk, m.unit)), None)


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
    2. Else the first unit the text names.
    3. Else, when the fields or the text name an officer, the place's bureau (else the mailbox's).
    Units the text names besides the proposed one are listed too.
    """
    if letter.letter_type not in ACCUSATION_TYPES:
        return AccusedProposal(None, (_("只有投诉和举报涉及被反映单位。"),))
    place = place_bureau(letter.division_code)
    near = place or bureau_of(letter.mailbox.owner)
    mentions = tuple(units_named_in(letter.text, near=near))
    officer = officer_fields_filled(letter) or names_an_officer(letter.text)
    reasons: list[str] = []
    unit: Unit | None = letter.accused_unit
    if unit is not None:
        reasons.append(_("信访人填写的被反映单位：%(unit)s。") % {"unit": unit})
    elif mentions:
        unit = mentions[0].unit
    elif officer:
        unit = near
        reasons.append(_("信件指名反映民警，但未写明单位：建议认定为事发地公安机关%(unit)s。") % {"unit": unit})
    for mention in mentions:
        reasons.append(_("信件内容提到“%(words)s”：%(unit)s。") % {"words": mention.words, "unit": mention.unit})
    if officer_fields_filled(letter):
        reasons.append(_("信访人填写了被反映民警的姓名、警号或职务。"))
    elif officer:
        reasons.append(_("信件内容中有民警的姓名或警号。"))
    if unit is None:
        reasons.append(_("未发现被反映的公安机关或民警。"))
    return AccusedProposal(unit, tuple(reasons), mentions, officer)
