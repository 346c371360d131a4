"""Cleaning what people type before it is stored.

Bidi overrides make a subject read differently from what it holds (an accused officer's name
shown backwards, a file name whose extension is hidden), zero-width characters make two equal
names compare unequal, and control characters break exports and terminals. Every kind of input
is cleaned once, in the domain service that stores it (``clean_input``), so the portal, the seats
and any future API get the same text. ``strip_invisible`` is stricter: it is for short
explanations (an identity reveal's reason) that must say something a reader can see.
"""

from __future__ import annotations

import re
import unicodedata

# Bidi embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), and the marks
# (LRM, RLM, ALM) that do the same job more quietly.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Zero-width space, non-joiner, joiner, word joiner, and the byte-order mark (zero-width no-break space).
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# C0 and C1 controls and DEL, except tab and newline (carriage returns are folded into newlines first).
CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n")

_UNWANTED = re.compile(f"[{re.escape(BIDI_CONTROLS + ZERO_WIDTH + CONTROLS)}]")


def clean_input(value: str) -> str:
    """``value`` without bidi controls, zero-width characters and control characters other than
    newline and tab; ``\\r\\n`` and a lone ``\\r`` become ``\\n``. Nothing else changes."""
    return _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def strip_invisible(value: str) -> str:
    """``value`` with every character of Unicode category C removed (controls, format characters
    such as zero-width and bidi marks, surrogates, private use, unassigned), except newline and tab.

    What is left may still be blank: count what a reader sees with ``visible_length``.
    """
    return "".join(ch for ch in value if ch in "\t\n" or unicodedata.category(ch)[0] != "C")


def visible_length(value: str) -> int:
    """How many characters of ``value`` a reader sees: neither invisible (``strip_invisible``) nor white space."""
    return sum(not ch.isspace() for ch in strip_invisible(value))
