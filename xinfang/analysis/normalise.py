"""One spelling for matching free text: what ``identifying`` (masking) and ``emergency`` read.

Each character of a text is folded on its own (so every folded character can be traced back to
the character it came from): NFKC (full-width ``１３９`` and ``ｘ`` become ASCII, ``，`` becomes
``,``), Traditional to Simplified with OpenCC's ``t2s``, lower case, any decimal digit to ASCII.
Folding character by character keeps the map back to the text exact; the cost is that OpenCC's
phrase-level choices are not made, which matching by single characters never needs.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import opencc

# Chinese numerals, character for character (Traditional forms are already Simplified: 貳 → 贰).
NUMERALS = str.maketrans("零〇○◯一壹幺二贰两三叁参四肆五伍六陆七柒八捌九玖", "0000111222333445566778899")

_T2S = opencc.OpenCC("t2s")


@dataclass(frozen=True)
class View:
    """A text folded for matching; ``origin[i]`` is the index in the text of the character view
    character ``i`` came from."""

    text: str  # NFKC, Simplified, lower case, ASCII digits
    digits: str  # the same with Chinese numerals read as digits
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


@functools.lru_cache(maxsize=16384)
def fold_char(ch: str) -> str:
    folded = []
    for c in unicodedata.normalize("NFKC", ch):
        if c.isdecimal():
            c = str(unicodedata.decimal(c))
        elif not c.isascii():
            c = _T2S.convert(c)
        folded.append(c.lower())
    return "".join(folded)


def fold(text: str) -> View:
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = fold_char(ch)
        chars.append(folded)
        origin.extend([i] * len(folded))
    view = "".join(chars)
    return View(view, view.translate(NUMERALS), tuple(origin))


def normalise(text: str) -> str:
    """``text`` folded (without the map back): for rules that only need to read it."""
    return "".join(map(fold_char, text))
