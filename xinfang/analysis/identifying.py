"""Finding what could identify a person in free text, however it is spelt, and masking it (SPEC §8a).

Every text that crosses to the accused side (explanation requests) or, later, to the public goes
through here. ``mask(text, sensitive)`` replaces with :data:`MASK`, and reports the kinds of:
- the writer's own values (``Sensitive``, from ``accounts.selectors.writer_identity`` only): the
  name in full, spaced out, the given name alone (two characters or more), the surname with a
  courtesy title; the address, in full or its street part; the phone and ID number; the letter's
  tracking number and query code;
- anyone's identifiers: resident ID numbers (18 digits with the GB 11643 check character, the old
  15-digit form), mobile numbers, landlines with their area code, bank cards (Luhn), any other run
  of 11 digits or more, car plates, tracking numbers and query codes, e-mail addresses, WeChat and
  QQ ids after their label, short numbers after a phone label.

How a spelling is undone:
1. Each character of the text is folded into a *view* (``analysis.normalise``: NFKC, so full-width
   ``１３９`` and ``ｘ`` are ASCII; Traditional to Simplified with OpenCC's ``t2s``; lower case; any
   decimal digit to ASCII),
   remembering which character of the text each view character came from. A second view of the
   same length also reads Chinese numerals as digits (一三九, 幺, 壹, 〇), character for
   character, which is all a written-out number needs (cn2an's place values would merge 一万二千).
2. Rules run on a view and allow up to three separators (spaces, dashes, dots, slashes, commas,
   、, ·) between the characters of what they look for.
3. A match is mapped back to the characters of the text it came from, and those are masked: the
   mask lands on what the person wrote.

Rules run over the text outside masks already placed, repeatedly until nothing changes, so
``mask`` is idempotent and ``leaks`` (what ``redact`` would still change) is empty for its output.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import pgettext, pgettext_lazy

from xinfang.accounts.id_numbers import PROVINCE_CODES, check_character
from xinfang.accounts.selectors import writer_identity
from xinfang.analysis.normalise import View, fold
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
    BANK_CARD = "bank_card"
    TRACKING_NUMBER = "tracking_number"
    QUERY_CODE = "query_code"
    EMAIL = "email"
    MESSENGER_ID = "messenger_id"
    PLATE = "plate"


LEAK_LABELS: dict[Leak, Promise] = {
    Leak.NAME: pgettext_lazy("in a sentence", "信访人姓名"),
    Leak.ADDRESS: pgettext_lazy("in a sentence", "信访人住址"),
    Leak.PHONE: pgettext_lazy("in a sentence", "电话号码"),
    Leak.ID_NUMBER: pgettext_lazy("in a sentence", "身份证号或其他长号码"),
    Leak.BANK_CARD: pgettext_lazy("in a sentence", "银行卡号"),
    Leak.TRACKING_NUMBER: pgettext_lazy("in a sentence", "信件编号"),
    Leak.QUERY_CODE: pgettext_lazy("in a sentence", "查询码"),
    Leak.EMAIL: pgettext_lazy("in a sentence", "电子邮箱"),
    Leak.MESSENGER_ID: pgettext_lazy("in a sentence", "微信号或 QQ 号"),
    Leak.PLATE: pgettext_lazy("in a sentence", "车牌号"),
}

# Two-character surnames: a four-character name starting with one of them has a two-character given name.
COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "轩辕", "长孙",
     "宇文", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "申屠", "澹台", "公冶", "太史", "闻人", "濮阳",
     "淳于", "单于", "钟离", "宗政", "赫连", "拓跋"}
)  # fmt: skip
COURTESY_TITLES = "先生|女士|小姐|师傅|阿姨|大爷|大妈|大叔|大姐|老师|同志"
# What people put between the characters of a name or a number, as the view spells it (NFKC has
# already made full-width ones ASCII: ，→ ,  －→ -  ／→ /  ．→ .  　→ space).
SEPARATORS = " \t\\-\u2010-\u2015_.\u00b7\u30fb\u2022/\\\\,\u3001|~*"
SEP = f"[{SEPARATORS}]"
GAP = f"{SEP}{{0,3}}"
# Between the groups of a long number written in the ordinary way (not commas: 110，12389，5000元).
STRONG_GAP = "[ \t\\-\u2010-\u2015_./]{1,2}"
QUERY_CODE_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"
QUERY_CODE_LENGTH = 16
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Dates (2026-03-05, 2026.3.5) never join the digits around them into a long number.
DATE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}([\-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])")


def compact(text: str) -> str:
    """The digits view of ``text`` without separators: how a value is compared in any spelling."""
    return re.sub(rf"{SEP}|\s", "", fold(text).digits)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    leak: Leak


@dataclass(frozen=True)
class Rule:
    find: Callable[[View], Iterable[Hit]]


def pattern_rule(leak: Leak, pattern: str, *, digits: bool = True, group: int = 0) -> Rule:
    """Each match of ``pattern`` on the digits view (or the plain view), only its ``group``: a
    labelled id keeps its label."""
    compiled = re.compile(pattern)

    def find(view: View) -> Iterator[Hit]:
        for match in compiled.finditer(view.digits if digits else view.text):
            if match.group(group):
                yield Hit(*match.span(group), leak)

    return Rule(find)


def spaced(value: str) -> str:
    """A pattern for ``value`` (already folded) with separators allowed between its characters."""
    chars = [ch for ch in value if not re.fullmatch(rf"{SEP}|\s", ch)]
    return GAP.join(re.escape(ch) for ch in chars)


# ---------------------------------------------------------------- the writer's own values


@dataclass(frozen=True)
class Sensitive:
    """The values of one letter that must never reach the accused side."""

    name: str = ""
    address: str = ""
    numbers: tuple[str, ...] = ()  # the writer's phone and ID number, as stored
    tracking_number: str = ""
    query_code_matches: Callable[[str], bool] | None = None


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


def writer_rules(sensitive: Sensitive) -> list[Rule]:
    rules: list[Rule] = []
    if sensitive.tracking_number.strip():
        rules.append(pattern_rule(Leak.TRACKING_NUMBER, spaced(compact(sensitive.tracking_number))))
    if sensitive.query_code_matches is not None:
        rules.append(_query_code_rule(sensitive.query_code_matches))
    for number in sensitive.numbers:
        digits = compact(number).lstrip("+")
        if len(digits) >= 5:
            leak = Leak.PHONE if len(digits) <= 13 and digits[-1].isdigit() else Leak.ID_NUMBER
            rules.append(pattern_rule(leak, spaced(digits)))
    rules.extend(pattern_rule(Leak.ADDRESS, pattern) for pattern in address_patterns(sensitive.address))
    rules.extend(pattern_rule(Leak.NAME, pattern, digits=False) for pattern in name_patterns(sensitive.name))
    return rules


def address_patterns(address: str) -> list[str]:
    """The address in full, and its part after the last city, district or county (the street and
    number: 体育西路1号), which is how a writer mentions their home in a sentence."""
    full = compact(address)
    if len(full) < 4:
        return []
    street = re.split(r"[省市区县州旗]", full)[-1]
    return [spaced(full), *([spaced(street)] if len(street) >= 4 and street != full else [])]


def name_patterns(name: str) -> list[str]:
    """The forms of a name to mask: in full (spaced out or not), and parts that identify on their own."""
    name = " ".join(fold(name).text.split())
    if not name:
        return []
    if re.search(r"[a-z]", name):
        return _latin_name_patterns(name)
    chars = name.replace(" ", "")
    surname = chars[:2] if chars[:2] in COMPOUND_SURNAMES and len(chars) > 2 else chars[:1]
    given = chars[len(surname) :]
    patterns = [spaced(chars)]
    if len(given) >= 2:  # a one-character given name alone would mask common words
        patterns.append(spaced(given))
    patterns.append(re.escape(surname) + GAP + f"(?:{COURTESY_TITLES})")
    return patterns


def _latin_name_patterns(name: str) -> list[str]:
    """The full name even with its letters spaced out (j-o-h-n s-m-i-t-h), and each word of two
    letters or more on its own."""
    words = name.split(" ")
    full = GAP.join(spaced(word) for word in words)
    parts = [re.escape(word) for word in words if len(word) >= 2]
    # The full name is long enough to need no word boundary (a letter typed against it hides nothing).
    return [full, *(rf"(?<![a-z]){part}(?![a-z])" for part in parts)]


def _query_code_rule(matches: Callable[[str], bool]) -> Rule:
    """The letter's query code however it is written (separators, lower case, inside a longer run
    of letters and digits): every 16 symbols in a row are checked against its hash."""
    runs = re.compile(rf"[a-z0-9](?:{SEP}{{0,2}}[a-z0-9])*")
    alphabet = set(QUERY_CODE_CHARS)

    def find(view: View) -> Iterator[Hit]:
        for run in runs.finditer(view.digits):
            at = [run.start() + i for i, ch in enumerate(run.group(0)) if ch.isalnum()]
            symbols = "".join(view.digits[i] for i in at)
            i = 0
            while i + QUERY_CODE_LENGTH <= len(symbols):
                window = symbols[i : i + QUERY_CODE_LENGTH]
                if set(window) <= alphabet and matches(window.upper()):
                    yield Hit(at[i], at[i + QUERY_CODE_LENGTH - 1] + 1, Leak.QUERY_CODE)
                    i += QUERY_CODE_LENGTH
                else:
                    i += 1

    return Rule(find)


# ---------------------------------------------------------------- anyone's numbers


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _is_id18(first17: str, check: str) -> bool:
    return first17[:2] in PROVINCE_CODES and check_character(first17) == check.upper()


def _is_id15(digits: str) -> bool:
    """The pre-1999 form: address code, YYMMDD, sequence."""
    month, day = int(digits[8:10]), int(digits[10:12])
    return digits[:2] in PROVINCE_CODES and 1 <= month <= 12 and 1 <= day <= 31


def _is_mobile(digits: str) -> bool:
    return digits[0] == "1" and digits[1] in "3456789"


def _is_bank_card(digits: str) -> bool:
    return digits[0] in "3456" and luhn_valid(digits)


def number_kind(digits: str) -> Leak:
    """What a long run of digits (``x`` last for an ID number) most likely is, for the message."""
    if len(digits) == 18 and _is_id18(digits[:17], digits[17]):
        return Leak.ID_NUMBER
    bare = digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
    if len(bare) == 11 and _is_mobile(bare):
        return Leak.PHONE
    if 16 <= len(digits) <= 19 and digits.isdigit() and _is_bank_card(digits):
        return Leak.BANK_CARD
    return Leak.ID_NUMBER


STRONG_RUN = re.compile(rf"(?<![0-9])[0-9]+(?:{STRONG_GAP}[0-9]+)*(?:{GAP}x)?")
ANY_RUN = re.compile(rf"[0-9](?:{GAP}[0-9])*(?:{GAP}x)?")


def _long_numbers(view: View) -> Iterator[Hit]:
    """Any run of 11 digits or more written in the ordinary way (groups joined by a space, dash,
    dot or slash; dates apart), whatever it is: ID and card numbers need not be valid to identify."""
    text = DATE.sub(lambda m: "#" * len(m.group(0)), view.digits)
    for run in STRONG_RUN.finditer(text):
        digits = re.sub(r"[^0-9x]", "", run.group(0))
        if len(digits.rstrip("x")) >= 11:
            yield Hit(*run.span(), number_kind(digits))


# (length, kind, test) of the identifiers a run of digits is searched for, longest first.
WINDOWS: tuple[tuple[int, Leak, Callable[[str], bool]], ...] = (
    (18, Leak.ID_NUMBER, lambda digits: _is_id18(digits[:17], digits[17])),
    *((n, Leak.BANK_CARD, _is_bank_card) for n in (19, 18, 17, 16)),
    (15, Leak.ID_NUMBER, _is_id15),
    (11, Leak.PHONE, _is_mobile),
)


def _identifiers(view: View) -> Iterator[Hit]:
    """Valid ID numbers, bank cards and mobile numbers in a run of digits however they are
    separated (1，3，9，… or 139、1234、0011, which ``_long_numbers`` leaves alone: 110，12389).

    An identifier must begin and end where a group of digits does, so that numbers listed with
    commas (12389，2026-03-05，110) are not read across as one.
    """
    for run in ANY_RUN.finditer(view.digits):
        at = [run.start() + i for i, ch in enumerate(run.group(0)) if ch.isdigit()]
        if len(at) < 11:
            continue
        digits = "".join(view.digits[i] for i in at)
        starts = {k for k in range(len(at)) if k == 0 or at[k] > at[k - 1] + 1}
        ends = {k for k in range(len(at)) if k == len(at) - 1 or at[k + 1] > at[k] + 1}
        i = 0
        while i + 11 <= len(digits):
            found = _identifier_at(digits, i, ends, ends_in_x=run.group(0).endswith("x")) if i in starts else None
            if found is None:
                i += 1
                continue
            kind, length = found
            stop = run.end() if i + length > len(digits) else at[i + length - 1] + 1
            yield Hit(at[i], stop, kind)
            i += length


def _identifier_at(digits: str, i: int, ends: set[int], *, ends_in_x: bool) -> tuple[Leak, int] | None:
    """The identifier starting at ``digits[i]`` and ending with a group, and its length (18 for an
    ID number ending in the run's ``x``, although only 17 of its characters are digits)."""
    rest = digits[i:]
    if len(rest) == 17 and ends_in_x and _is_id18(rest, "X"):
        return Leak.ID_NUMBER, 18
    for length, kind, test in WINDOWS:
        if len(rest) >= length and i + length - 1 in ends and test(rest[:length]):
            return kind, length
    return None


LABELLED_ID = r"[\s:是为]{0,3}([a-z][a-z0-9_\-]{4,19}|[0-9]{5,12})(?![a-z0-9_\-])"
PHONE_LABEL = r"(?:电话|座机|手机|联系方式|tel|phone)(?:号码?)?[\s:是为]{0,3}"
MESSENGER_LABEL = r"(?<![a-z])(?:微信|weixin|wechat|vx|qq|扣扣)(?:号码?|账号|帐号|id)?"
EMAIL_CHARS = r"a-z0-9!#$%&'*+/=?^_`{|}~.\-"

GENERAL_RULES: list[Rule] = [
    Rule(_long_numbers),
    Rule(_identifiers),
    # A tracking number (GD-20260302-123456): letters, then the date and six digits, any separators.
    pattern_rule(
        Leak.TRACKING_NUMBER, rf"(?<![a-z0-9])[a-z](?:{GAP}[a-z]){{0,7}}{GAP}[0-9](?:{GAP}[0-9]){{13}}(?![0-9])"
    ),
    pattern_rule(
        Leak.QUERY_CODE,
        rf"(?<![a-z0-9])[{QUERY_CODE_CHARS}]{{4}}(?:-[{QUERY_CODE_CHARS}]{{4}}){{3}}(?![a-z0-9])",
        digits=False,
    ),
    # Only from the start of a run of the characters an address may hold, so a long run without
    # "@" costs one attempt, not one per character.
    pattern_rule(Leak.EMAIL, rf"(?<![{EMAIL_CHARS}])[{EMAIL_CHARS}]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+"),
    pattern_rule(Leak.MESSENGER_ID, MESSENGER_LABEL + LABELLED_ID, group=1),
    pattern_rule(
        Leak.PLATE, rf"[{PROVINCES}]{GAP}[a-z]{GAP}(?:[a-z0-9]{GAP}){{4}}(?:[a-z0-9](?:{GAP}[a-z0-9])?|[挂学警港澳领])"
    ),
    pattern_rule(
        Leak.PHONE, rf"(?<![0-9])\(?0[0-9]{{2,3}}\)?(?:{STRONG_GAP})?[0-9]{{3,4}}(?:{STRONG_GAP})?[0-9]{{4}}(?![0-9])"
    ),
    pattern_rule(Leak.PHONE, PHONE_LABEL + r"(\+?[0-9](?:[0-9 \-]{3,14})[0-9])(?![0-9])", group=1),
]


# ---------------------------------------------------------------- masking


def redact(text: str, *, letter: Letter) -> str:
    """``text`` with everything that could identify the writer of ``letter`` masked."""
    return mask(text, sensitive_of(letter))[0]


def leaks(text: str, *, letter: Letter) -> list[Leak]:
    """What :func:`redact` would still mask in ``text``, in rule order (empty: safe to send)."""
    return mask(text, sensitive_of(letter))[1]


def mask(text: str, sensitive: Sensitive) -> tuple[str, list[Leak]]:
    """Mask every rule's hits until nothing changes; return the text and the kinds of what was masked.

    Each round masks at least one character that was not masked, so the loop ends (a second round
    finds what a mask just cut loose, such as a number that a neighbouring digit had hidden).
    """
    rules = [*writer_rules(sensitive), *GENERAL_RULES]
    found: list[Leak] = []
    while True:
        pieces = []
        for piece in text.split(MASK):
            piece, kinds = _mask_piece(piece, rules)
            pieces.append(piece)
            found.extend(kind for kind in kinds if kind not in found)
        masked = MASK.join(pieces)
        if masked == text:
            return text, found
        text = masked


def _mask_piece(piece: str, rules: list[Rule]) -> tuple[str, list[Leak]]:
    """Mask the hits of every rule in a piece of text between masks (masks are never touched).

    A hit inside an earlier rule's hit names no kind of its own: a card number is not also
    reported as the landline its digits resemble.
    """
    view = fold(piece)
    hits = [hit for rule in rules for hit in rule.find(view) if hit.end > hit.start]
    kinds: list[Leak] = []
    for i, hit in enumerate(hits):
        inside = any(other.start <= hit.start and hit.end <= other.end for other in hits[:i])
        if not inside and hit.leak not in kinds:
            kinds.append(hit.leak)
    out: list[str] = []
    at = 0
    for start, end in _merged([view.span(hit.start, hit.end) for hit in hits]):
        out.extend((piece[at:start], MASK))
        at = end
    out.append(piece[at:])
    return "".join(out), kinds


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def describe(found: Iterable[Leak]) -> str:
    """The kinds found, for a message (「信访人姓名、电话号码」)."""
    return pgettext("list separator", "、").join(str(LEAK_LABELS[leak]) for leak in found)
