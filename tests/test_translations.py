"""Every user-facing string has an English translation (the source language is Chinese)."""

from __future__ import annotations

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
