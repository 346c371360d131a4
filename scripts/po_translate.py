"""Fill English translations into a catalog from a JSON object {msgid: msgstr}.

    python scripts/po_translate.py xinfang/locale/en/LC_MESSAGES/django.po translations.json

Plural entries take a list of two strings. Prints the msgids still untranslated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib


def main(po_path: str, json_path: str) -> int:
    catalog = polib.pofile(po_path)
    strings = json.loads(Path(json_path).read_text(encoding="utf-8"))
    for entry in catalog:
        value = strings.get(entry.msgid)
        if value is None:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: value[0], 1: value[1]}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save(po_path)
    missing = [e.msgid for e in catalog if not e.translated() and not e.obsolete]
    for msgid in missing:
        print(msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
