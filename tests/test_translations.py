"""Every user-facing string has an English translation (the source language is Chinese)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent / "xinfang"
CATALOGS = sorted(ROOT.rglob("locale/en/LC_MESSAGES/django.po"))


def test_there_is_a_project_catalog_and_app_catalogs() -> None:
    assert ROOT / "locale/en/LC_MESSAGES/django.po" in CATALOGS
    assert ROOT / "letters/locale/en/LC_MESSAGES/django.po" in CATALOGS


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated(catalog: Path) -> None:
    po = polib.pofile(str(catalog))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], f"untranslated in {catalog}: {missing[:10]}"


# The msgid of a call; pgettext's first argument is its context, the msgid comes second.
PY_MARKED = re.compile(
    r"""\b(?:(?:_|gettext|gettext_lazy|ngettext)\(|pgettext(?:_lazy)?\(\s*"[^"]*"\s*,)\s*"((?:[^"\\]|\\.)*)"\s*[,)]"""
)
TEMPLATE_MARKED = re.compile(r"""\{%\s*translate\s+(?:"([^"]*)"|'([^']*)')""")


def _marked_strings() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for match in PY_MARKED.finditer(path.read_text(encoding="utf-8")):
            found.add((str(path.relative_to(ROOT)), match.group(1).replace('\\"', '"')))
    for path in ROOT.rglob("*.html"):
        for match in TEMPLATE_MARKED.finditer(path.read_text(encoding="utf-8")):
            found.add((str(path.relative_to(ROOT)), match.group(1) or match.group(2)))
    return found


def test_every_marked_string_is_in_a_catalog() -> None:
    """A marked string that was never extracted (makemessages not run) shows in Chinese to English readers."""
    msgids = {entry.msgid for catalog in CATALOGS for entry in polib.pofile(str(catalog))}
    missing = sorted((where, s) for where, s in _marked_strings() if s not in msgids)
    assert missing == [], f"marked but not in any catalog (run makemessages in the app): {missing[:10]}"
