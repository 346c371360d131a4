"""Reading a notice PDF as a user and a printer would: its text, page 1 as PNG, and whether every
character of a name has a real glyph in the fonts embedded in the file (no tofu boxes)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (make system-packages does, as root)")
    return path


def pdf_text(pdf: bytes) -> str:
    """The text layer, as pdftotext reads it (what a screen reader or a search would find)."""
    out = subprocess.run([need("pdftotext"), "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def page_one_png(pdf: bytes, folder: str, name: str) -> Path:
    """Page 1 at 100 dpi as test-output/screenshots/<folder>/<name>.png."""
    target = SCREENSHOTS / folder
    target.mkdir(parents=True, exist_ok=True)
    stem = target / name
    subprocess.run(
        [need("pdftoppm"), "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", "-", str(stem)],
        input=pdf,
        check=True,
    )
    return stem.with_suffix(".png")


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """CID → text from a ToUnicode CMap (bfchar and bfrange entries)."""
    text = cmap.decode("latin-1")
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for cid, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            found[int(cid, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for start, end, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = bytes.fromhex(uni).decode("utf-16-be")
            for offset in range(int(end, 16) - int(start, 16) + 1):
                found[int(start, 16) + offset] = chr(ord(first[-1]) + offset)
    return found


def _glyph_has_outline(font_bytes: bytes, subtype: str, cid: int) -> bool:
    """True if glyph ``cid`` of the embedded font draws something (not .notdef, not empty)."""
    if cid == 0:
        return False
    if subtype == "/OpenType" or font_bytes[:4] in (b"OTTO", b"\x00\x01\x00\x00", b"true"):
        font = TTFont(io.BytesIO(font_bytes))
        order = font.getGlyphOrder()
        if "CFF " in font:
            cff = font["CFF "].cff
            top = cff[cff.fontNames[0]]
            names = top.charset
            name = names[cid] if cid < len(names) else None
            if name is None or name == ".notdef":
                return False
            charstring = top.CharStrings[name]
            charstring.decompile()
            return len(charstring.program) > 2
        name = order[cid] if cid < len(order) else None
        if name is None or name == ".notdef":
            return False
        glyph = font["glyf"][name]
        return glyph.numberOfContours != 0
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(font_bytes), None)
    top = cff[cff.fontNames[0]]
    charset = top.charset
    # In a CID-keyed CFF the glyph names are "cidNNNNN"; CIDs of Identity-H map through the charset.
    wanted = f"cid{cid:05d}"
    name = wanted if wanted in top.CharStrings else (charset[cid] if cid < len(charset) else None)
    if name is None or name == ".notdef":
        return False
    charstring = top.CharStrings[name]
    charstring.decompile()
    return len(charstring.program) > 2


def glyph_coverage(pdf: bytes, characters: str) -> dict[str, bool]:
    """For each character: is it drawn with a real glyph of a font embedded in ``pdf``?"""
    covered = dict.fromkeys(characters, False)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            fonts = page.Resources.get("/Font", {})
            for _name, font in fonts.items():
                if "/ToUnicode" not in font:
                    continue
                cids = _to_unicode(font.ToUnicode.read_bytes())
                for descendant in font.get("/DescendantFonts", []):
                    descriptor = descendant.FontDescriptor
                    for key in ("/FontFile3", "/FontFile2", "/FontFile"):
                        if key not in descriptor:
                            continue
                        stream = descriptor[key]
                        data = stream.read_bytes()
                        subtype = str(stream.get("/Subtype", ""))
                        for cid, text in cids.items():
                            if text in covered and not covered[text]:
                                covered[text] = _glyph_has_outline(data, subtype, cid)
    return covered
