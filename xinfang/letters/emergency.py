"""Does a text read like an emergency in progress? (SPEC §3: "not for emergencies".)

The portal stops such a letter before it is submitted with a "call 110 now" page, and the
telephone-seat console flags it while the agent types. The check is deliberately simple and
errs towards asking: the writer can still submit when it is not an emergency, so a false alarm
costs one click while a missed one may cost a life. It looks for phrases of an assault, fire,
abduction, threat to life or suicide happening now, in Chinese and English.
"""

from __future__ import annotations

import re

# Chinese: matched as substrings after removing spaces (people type "正在 打人").
CHINESE_PHRASES = (
    "正在打人", "正在殴打", "正在被打", "打死人", "要打死", "往死里打", "持刀", "拿刀", "砍人", "捅人", "刀捅",
    "持枪", "开枪", "着火", "起火", "失火", "烧起来", "爆炸", "煤气泄漏", "绑架", "劫持",
    "人质", "拐走", "抢孩子", "要杀", "杀人了", "杀了我", "要我的命", "救命", "跳楼", "跳河", "想自杀",
    "要自杀", "割腕", "喝农药", "正在抢劫", "正在抢", "入室抢劫", "正在强奸", "正在砸", "闯进家", "家暴",
    "快来人", "有人追杀",
)  # fmt: skip

# English: whole words, any case, any spacing between the words.
ENGLISH_PATTERNS = (
    r"is beating", r"are beating", r"beating (?:me|him|her|us|them|my \w+)", r"being (?:beaten|attacked|stabbed)",
    r"attacking (?:me|him|her|us|them)", r"(?:on|catch(?:es|ing)?) fire", r"house is burning", r"burning down",
    r"explosion", r"gas leak", r"kidnapp(?:ed|ing)", r"abduct(?:ed|ing)", r"hostages?", r"going to kill",
    r"gonna kill", r"will kill", r"trying to kill", r"threaten(?:s|ed|ing)? to kill", r"kill (?:me|him|her|us|them)",
    r"(?:has|with|holding) a (?:knife|gun)", r"knifepoint", r"gunpoint", r"shooting", r"stabb(?:ed|ing)",
    r"jump(?:ing)? off", r"suicide", r"kill (?:myself|himself|herself)", r"help me now", r"being robbed",
    r"robbing (?:me|us)", r"break(?:ing)? in(?:to)? (?:my|our) (?:home|house|flat|apartment)", r"being raped",
)  # fmt: skip

_ENGLISH = re.compile(
    r"\b(?:" + "|".join(p.replace(" ", r"\s+") for p in ENGLISH_PATTERNS) + r")\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def _first_matches(spans: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """Drop a phrase that overlaps one already kept (要杀 and 杀了我 in 要杀了我), or repeats one."""
    kept: list[tuple[int, int, str]] = []
    for start, end, phrase in sorted(spans, key=lambda span: (span[0], span[0] - span[1])):
        overlaps = any(start < k_end and k_start < end for k_start, k_end, _p in kept)
        if not overlaps and phrase.lower() not in {p.lower() for _s, _e, p in kept}:
            kept.append((start, end, phrase))
    return [(start, phrase) for start, _end, phrase in kept]


def emergency_signals(text: str) -> list[str]:
    """The emergency phrases found in ``text``, in the order they appear, each once.

    Chinese phrases are returned as listed; English ones as written in the text (so a page can
    quote them back). An empty list means nothing looked like an emergency.
    """
    text = text or ""
    compact = _SPACES.sub("", text)
    chinese = [
        (m.start(), m.end(), m.group(0)) for phrase in CHINESE_PHRASES for m in re.finditer(re.escape(phrase), compact)
    ]
    english = [(m.start(), m.end(), _SPACES.sub(" ", m.group(0))) for m in _ENGLISH.finditer(text)]
    # Positions of the two scripts are counted in different strings; they rarely mix in one letter.
    found = sorted(_first_matches(chinese) + _first_matches(english), key=lambda item: item[0])
    return [phrase for _start, phrase in found]
