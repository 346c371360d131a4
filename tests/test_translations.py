"""Every user-facing string has an English translation (the source language is Chinese)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.apps import apps

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


# A call's message id, and its context for pgettext (the first argument, the message id second).
PY_MARKED = re.compile(
    r"""\b(?:(?:_|gettext|gettext_lazy|ngettext)\(|pgettext(?:_lazy)?\(\s*"(?P<context>[^"]*)"\s*,)"""
    r"""\s*"(?P<msgid>(?:[^"\\]|\\.)*)"\s*[,)]"""
)
TEMPLATE_MARKED = re.compile(
    r"""\{%\s*translate\s+(?:"(?P<msgid>[^"]*)"|'(?P<msgid1>[^']*)')"""
    r"""(?:\s+context\s+(?:"(?P<context>[^"]*)"|'(?P<context1>[^']*)'))?"""
)

Key = tuple[str | None, str]  # (context, message id), as a catalog keys its entries


def _marked_messages() -> set[tuple[str, Key]]:
    """(file under xinfang/, (context, message id)) of every string marked for translation."""
    found: set[tuple[str, Key]] = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for match in PY_MARKED.finditer(path.read_text(encoding="utf-8")):
            found.add((str(path.relative_to(ROOT)), (match["context"], match["msgid"].replace('\\"', '"'))))
    for path in ROOT.rglob("*.html"):
        for match in TEMPLATE_MARKED.finditer(path.read_text(encoding="utf-8")):
            key = (match["context"] or match["context1"], match["msgid"] or match["msgid1"])
            found.add((str(path.relative_to(ROOT)), key))
    return found


def _translations(catalog: Path) -> dict[Key, str]:
    """What ``catalog`` translates (an obsolete entry, ``#~``, is not read at run time)."""
    po = polib.pofile(str(catalog))
    return {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in po if not e.obsolete and e.translated()
    }


def test_every_marked_string_is_in_a_catalog() -> None:
    """A marked string that was never extracted (makemessages not run) shows in Chinese to English readers."""
    keys = set().union(*(_translations(catalog) for catalog in CATALOGS))
    missing = sorted((where, key) for where, key in _marked_messages() if key not in keys)
    assert missing == [], f"marked but not in any catalog (run makemessages in the app): {missing[:10]}"


def _catalog_of(where: str) -> Path:
    """The catalog a file's strings belong in: its app's, or the project's (xinfang/templates, the base)."""
    own = ROOT / Path(where).parts[0] / "locale/en/LC_MESSAGES/django.po"
    return own if own in CATALOGS else ROOT / "locale/en/LC_MESSAGES/django.po"


def test_every_app_translates_the_strings_it_marks() -> None:
    """At run time all catalogs are one, so a string that only another app translates still shows in
    English — until that app changes its wording or drops the string, and then it shows in Chinese (the
    console's actions did, "给信访人留言"). Each app carries the English of what it marks."""
    own = {catalog: _translations(catalog) for catalog in CATALOGS}
    missing = sorted((where, key) for where, key in _marked_messages() if key not in own[_catalog_of(where)])
    assert missing == [], f"marked but not translated in the app's own catalog: {missing[:20]}"


def _shown() -> dict[Key, str]:
    """The English pages show: Django merges every catalog into one, the project's (LOCALE_PATHS) over
    the apps', and of two apps that translate the same string, the one earlier in INSTALLED_APPS."""
    order = [ROOT / "locale/en/LC_MESSAGES/django.po"]
    order += [Path(config.path) / "locale/en/LC_MESSAGES/django.po" for config in apps.get_app_configs()]
    shown: dict[Key, str] = {}
    for catalog in reversed([catalog for catalog in order if catalog in CATALOGS]):
        shown.update(_translations(catalog))
    return shown


# Every app shows its own English (issue 20 §3 found the console, the portal and others showing other apps').
SHOWS_ITS_OWN = tuple(catalog.parents[3].name for catalog in CATALOGS if catalog.parents[3] != ROOT)


@pytest.mark.parametrize("app", SHOWS_ITS_OWN)
def test_the_app_shows_its_own_english_not_another_apps(app: str) -> None:
    """Two apps that translate one Chinese string differently show the same English: the earlier app's
    (the console's "不予受理" button read "Not accepted", the letter state). Where the words mean two
    things, the app marks its own with a context ("button", "heading"); otherwise the wordings agree."""
    own, shown = _translations(ROOT / app / "locale/en/LC_MESSAGES/django.po"), _shown()
    differs = sorted(
        (where, key, own[key], shown[key])
        for where, key in _marked_messages()
        if where.startswith(f"{app}/") and key in own and own[key] != shown[key]
    )
    assert differs == [], "shown in another app's English (file, (context, id), meant, shown):\n" + "\n".join(
        map(str, differs)
    )


# Full-width punctuation is Chinese: written in a template outside a translated string it shows on the
# English pages too ("Municipal Bureau（Transfer）", "Proposed by the system：Guangzhou…"). Each language's
# punctuation belongs in its translation: the value goes in as a placeholder (``blocktranslate``), a list's
# separator is translated too (``{% translate "、" context "list separator" as separator %}``).
FULL_WIDTH = re.compile("[（）：，。；、]")
TRANSLATED_OR_UNSHOWN = re.compile(
    r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r"|\{%\s*blocktranslate\b.*?\{%\s*endblocktranslate\s*%\}"
    r"|\{%\s*translate\s.*?%\}"
    r"""|\b_\((?:"[^"]*"|'[^']*')\)""",  # a translated filter argument: default:_("…")
    re.S,
)


def _untranslated_full_width() -> list[str]:
    """Where full-width punctuation stands outside every translation ("template:line: text")."""
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        source = path.read_text(encoding="utf-8")
        shown = TRANSLATED_OR_UNSHOWN.sub(lambda part: re.sub(r"[^\n]", " ", part[0]), source)
        for number, (line, original) in enumerate(zip(shown.splitlines(), source.splitlines(), strict=True), 1):
            if FULL_WIDTH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {original.strip()}")
    return found


def test_no_template_writes_full_width_punctuation_outside_a_translation() -> None:
    found = _untranslated_full_width()
    assert found == [], "full-width punctuation outside a translation:\n" + "\n".join(found)
