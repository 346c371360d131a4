"""Masking what could lead the accused unit back to the writer of a letter.

``redact(text, letter=…)`` replaces with :data:`MASK`:
- the writer's name (in full, spaced out, the given name alone, the surname with a courtesy
  title), address, phone and ID number as the identity vault holds them;
- the letter's tracking number and query code, and anything shaped like another letter's;
- e-mail addresses; WeChat / QQ ids written after their label; car plates;
- resident ID numbers (15 or 18 digits, trailing X), mobile and landline numbers (with +86,
  spaces or dashes): any run of digits, with at most two spaces or dashes between the groups,
  that holds 11 digits or more (this also takes bank card numbers), landlines written with an
  area code, and shorter numbers written after a phone label.

Rules run over the text outside masks already placed, repeatedly until nothing changes, so
``redact`` is idempotent and ``leaks`` (what ``redact`` would still change) is empty for its
output. The writer-specific values come from ``accounts.selectors.writer_identity`` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from xinfang.accounts.selectors import writer_identity
from xinfang.letters.services import query_code_matches

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from xinfang.letters.models import Letter

MASK = "[已隐去]"


class Leak(StrEnum):
    NAME = "name"
    ADDRESS = "address"
    PHONE = "phone"
    ID_NUMBER = "id_number"
    TRACKING_NUMBER = "tracking_number"
    QUERY_CODE = "query_code"
    EMAIL = "email"
    MESSENGER_ID = "messenger_id"
    PLATE = "plate"


LEAK_LABELS: dict[Leak, Promise] = {
    Leak.NAME: _("信访人姓名"),
    Leak.ADDRESS: _("信访人住址"),
    Leak.PHONE: _("电话号码"),
    Leak.ID_NUMBER: _("身份证号或其他长号码"),
    Leak.TRACKING_NUMBER: _("信件编号"),
    Leak.QUERY_CODE: _("查询码"),
    Leak.EMAIL: _("电子邮箱"),
    Leak.MESSENGER_ID: _("微信号或 QQ 号"),
    Leak.PLATE: _("车牌号"),
}

# Two-character surnames: a four-character name starting with one of them has a two-character given name.
COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "轩辕", "长孙",
     "宇文", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "申屠", "澹台", "公冶", "太史", "闻人", "濮阳",
     "淳于", "单于", "钟离", "宗政", "赫连", "拓跋"}
)  # fmt: skip
COURTESY_TITLES = "先生|女士|小姐|师傅|阿姨|大爷|大妈|大叔|大姐|老师|同志"
# Between the characters of a name: spaces (also full-width) and the dots of transliterated names.
NAME_GAP = r"[\s\u3000·・•.]{0,3}"
# Between the groups of a number: at most two spaces or dashes (also full-width ones).
DIGIT_GAP = r"[ \t\u3000\-－‐]{1,2}"
QUERY_CODE_CHARS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 16
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"


@dataclass(frozen=True)
class Sensitive:
    """The values of one letter that must never reach the accused side."""

    name: str = ""
    address: str = ""
    numbers: tuple[str, ...] = ()  # the writer's phone and ID number, as stored
    tracking_number: str = ""
    query_code_matches: Callable[[str], bool] | None = None


@dataclass(frozen=True)
class Rule:
    leak: Leak
    find: Callable[[str], Iterable[tuple[int, int]]]  # the spans to mask in a piece of text


def pattern_rule(leak: Leak, pattern: re.Pattern[str], group: int = 0) -> Rule:
    """Mask each match of ``pattern`` (only its ``group``: a labelled id keeps its label)."""

    def find(text: str) -> Iterable[tuple[int, int]]:
        return [match.span(group) for match in pattern.finditer(text) if match.group(group)]

    return Rule(leak, find)


def sensitive_of(letter: Letter) -> Sensitive:
    identity = writer_identity(letter)
    numbers = tuple(value for value in (identity.phone, identity.id_number) if value)
    matches = (lambda code: query_code_matches(letter, code)) if "$" in letter.query_code_hash else None
    return Sensitive(
        name=identity.name,
        address=identity.address,
        numbers=numbers,
        tracking_number=letter.tracking_number,
        query_code_matches=matches,
    )


def redact(text: str, *, letter: Letter) -> str:
    """``text`` with everything that could identify the writer of ``letter`` masked."""
    return mask(text, sensitive_of(letter))[0]


def leaks(text: str, *, letter: Letter) -> list[Leak]:
    """What :func:`redact` would still mask in ``text``, in rule order (empty: safe to send)."""
    return mask(text, sensitive_of(letter))[1]


def mask(text: str, sensitive: Sensitive) -> tuple[str, list[Leak]]:
    """Apply every rule until nothing changes; return the text and the kinds of what was masked.

    Each round masks at least one character that was not masked, so the loop ends.
    """
    rules = [*writer_rules(sensitive), *GENERAL_RULES]
    found: list[Leak] = []
    while True:
        changed = False
        for rule in rules:
            text, hit = _apply(rule, text)
            if hit:
                changed = True
                if rule.leak not in found:
                    found.append(rule.leak)
        if not changed:
            return text, found


def _apply(rule: Rule, text: str) -> tuple[str, bool]:
    """Mask the rule's spans in the pieces of ``text`` between masks (masks are never touched)."""
    hit = False
    pieces = []
    for piece in text.split(MASK):
        for start, end in sorted(rule.find(piece), reverse=True):
            piece = piece[:start] + MASK + piece[end:]
            hit = True
        pieces.append(piece)
    return MASK.join(pieces), hit


# ---------------------------------------------------------------- the writer's own values


def writer_rules(sensitive: Sensitive) -> list[Rule]:
    rules: list[Rule] = []
    if sensitive.tracking_number:
        rules.append(pattern_rule(Leak.TRACKING_NUMBER, _spaced(sensitive.tracking_number, r"[\s\-]{0,2}")))
    if sensitive.query_code_matches is not None:
        rules.append(_query_code_rule(sensitive.query_code_matches))
    for number in sensitive.numbers:
        digits = [ch for ch in number if ch.isalnum()]
        if len(digits) >= 5:
            leak = Leak.PHONE if len(digits) <= 13 and digits[-1].isdigit() else Leak.ID_NUMBER
            rules.append(pattern_rule(leak, _spaced("".join(digits), r"[\s\-－]{0,2}")))
    if len(sensitive.address.strip()) >= 4:
        rules.append(pattern_rule(Leak.ADDRESS, _spaced(sensitive.address, NAME_GAP)))
    rules.extend(pattern_rule(Leak.NAME, pattern) for pattern in name_patterns(sensitive.name))
    return rules


def _spaced(value: str, gap: str) -> re.Pattern[str]:
    """``value`` with ``gap`` allowed between its characters (its own spaces count as gaps), any case."""
    chars = [ch for ch in value if not ch.isspace()]
    return re.compile(gap.join(re.escape(ch) for ch in chars), re.IGNORECASE)


def name_patterns(name: str) -> list[re.Pattern[str]]:
    """The forms of a name to mask: in full (spaced out or not), and parts that identify on their own."""
    name = " ".join(name.split())
    if not name:
        return []
    if re.search(r"[A-Za-z]", name):
        return _latin_name_patterns(name)
    chars = name.replace(" ", "")
    patterns = [_spaced(chars, NAME_GAP)]
    surname = chars[:2] if chars[:2] in COMPOUND_SURNAMES and len(chars) > 2 else chars[:1]
    given = chars[len(surname) :]
    if len(given) >= 2:  # a one-character given name alone would mask common words
        patterns.append(_spaced(given, NAME_GAP))
    patterns.append(re.compile(re.escape(surname) + NAME_GAP + f"(?:{COURTESY_TITLES})"))
    return patterns


def _latin_name_patterns(name: str) -> list[re.Pattern[str]]:
    words = name.split(" ")
    full = re.compile(r"(?<![A-Za-z])" + r"[\s\u3000·.\-]{1,3}".join(map(re.escape, words)) + r"(?![A-Za-z])", re.I)
    parts = [re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", re.I) for word in words if len(word) >= 2]
    return [full, *parts]


def _query_code_rule(matches: Callable[[str], bool]) -> Rule:
    """The letter's query code however it is written (spaces, dashes, lower case, inside a longer
    run of letters and digits): every 16 symbols in a row are checked against its hash."""
    runs = re.compile(r"[A-Za-z0-9](?:[ \-]?[A-Za-z0-9])*")
    alphabet = set(QUERY_CODE_CHARS)

    def find(text: str) -> Iterable[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for run in runs.finditer(text):
            at = [run.start() + i for i, ch in enumerate(run.group(0)) if ch.isalnum()]
            symbols = "".join(text[i] for i in at).upper()
            i = 0
            while i + QUERY_CODE_LENGTH <= len(symbols):
                window = symbols[i : i + QUERY_CODE_LENGTH]
                if set(window) <= alphabet and matches(window):
                    spans.append((at[i], at[i + QUERY_CODE_LENGTH - 1] + 1))
                    i += QUERY_CODE_LENGTH
                else:
                    i += 1
        return spans

    return Rule(Leak.QUERY_CODE, find)


# ---------------------------------------------------------------- anyone's identifiers


def _rules(*rules: tuple[Leak, str] | tuple[Leak, str, int]) -> list[Rule]:
    return [pattern_rule(rule[0], re.compile(rule[1], re.IGNORECASE), *rule[2:]) for rule in rules]


LABELLED_ID = r"[\s:：是为]{0,3}([A-Za-z][A-Za-z0-9_\-]{4,19}|\d{5,12})(?![A-Za-z0-9_\-])"
PHONE_LABEL = r"(?:电话|座机|手机|联系方式|tel|phone)(?:号码?)?[\s:：是为]{0,3}"

GENERAL_RULES: list[Rule] = _rules(
    (Leak.TRACKING_NUMBER, r"(?<![A-Za-z0-9])[A-Za-z]{1,8}-\d{8}-\d{6}(?!\d)"),
    (Leak.QUERY_CODE, rf"(?<![A-Za-z0-9])[{QUERY_CODE_CHARS}]{{4}}(?:-[{QUERY_CODE_CHARS}]{{4}}){{3}}(?![A-Za-z0-9])"),
    (Leak.EMAIL, r"[A-Za-z0-9._%+\-]+[@＠][A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
    (Leak.MESSENGER_ID, r"(?<![A-Za-z])(?:微信|weixin|wechat|vx|QQ|扣扣)(?:号码?|账号|帐号|id)?" + LABELLED_ID, 1),
    (Leak.PLATE, rf"[{PROVINCES}][A-Z][\s·•・.\-]?(?:[A-Z0-9]{{5,6}}|[A-Z0-9]{{4}}[挂学警港澳领])"),
    # ID numbers with their check letter, and any long number however it is grouped.
    (Leak.ID_NUMBER, rf"(?<!\d)\d{{6}}(?:{DIGIT_GAP})?\d{{8}}(?:{DIGIT_GAP})?\d{{3}}[Xx](?![A-Za-z])"),
    (Leak.ID_NUMBER, rf"(?<!\d)(?=(?:\d(?:{DIGIT_GAP})?){{11}})\d+(?:(?:{DIGIT_GAP})\d+)*"),
    (Leak.PHONE, rf"(?<!\d)[(（]?0\d{{2,3}}[)）]?(?:{DIGIT_GAP})?\d{{3,4}}(?:{DIGIT_GAP})?\d{{4}}(?!\d)"),
    (Leak.PHONE, PHONE_LABEL + r"(\+?\d(?:[\d \-]{3,14})\d)(?!\d)", 1),
)


def describe(found: Iterable[Leak]) -> str:
    """The kinds found, for a message (「信访人姓名、电话号码」)."""
    return pgettext("list separator", "、").join(str(LEAK_LABELS[leak]) for leak in found)
