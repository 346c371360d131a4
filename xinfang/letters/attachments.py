"""Attachments to letters: the one way in (``attachment_add``) and the one way out (``attachment_for``).

An upload is evidence that may later matter in a disciplinary case, and it is also untrusted
input that staff will open. So:
- the type is decided by the bytes (magic numbers, then Pillow for images), never by the name or
  the browser's Content-Type, and the name's extension must agree with the bytes;
- an image's original is stored byte for byte with its SHA-256, and a re-encoded copy with
  every piece of metadata (EXIF incl. GPS, XMP, comments, ICC) dropped, which staff open by default;
- a PDF is stored only as a sanitised copy (pikepdf): everything a viewer could run, open or send
  (JavaScript, open and additional actions, launch/URI/submit actions, embedded files, XFA forms)
  and its metadata are removed; an encrypted or unreadable PDF is refused;
- files are stored under random names; the writer's file name is only kept as text;
- with ``settings.CLAMD_ADDRESS`` set, clamd must say the file (as received, before any parser
  reads it) is clean before it is stored, and when clamd cannot be asked the upload is refused
  (fail closed).
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from xinfang.accounts.models import User
from xinfang.letters import clamav
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Attachment, Letter, LetterState, Message

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200


class AttachmentRejected(ValidationError):
    """The upload was refused; the message (translated) tells the user why."""


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str  # used for the random server-side name
    extensions: frozenset[str]  # what the writer's file name may end with
    pillow_format: str  # "" for non-images


JPEG = FileKind("image/jpeg", "jpg", frozenset({"jpg", "jpeg", "jpe"}), "JPEG")
PNG = FileKind("image/png", "png", frozenset({"png"}), "PNG")
GIF = FileKind("image/gif", "gif", frozenset({"gif"}), "GIF")
WEBP = FileKind("image/webp", "webp", frozenset({"webp"}), "WEBP")
PDF = FileKind("application/pdf", "pdf", frozenset({"pdf"}), "")
KINDS = (JPEG, PNG, GIF, WEBP, PDF)


def sniff(head: bytes) -> FileKind | None:
    """The file kind its first bytes announce, or None for anything not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


# ---------------------------------------------------------------- checks


def _reject(message: str, code: str) -> AttachmentRejected:
    return AttachmentRejected(message, code=code)


def _check_access(*, letter: Letter, actor: User, internal: bool, message: Message | None) -> None:
    if message is not None and message.letter_id != letter.pk:
        raise ValueError("the message belongs to another letter")
    if actor.is_citizen:
        allowed = (
            actor.is_active
            and not internal
            and letter.citizen_id == actor.pk
            and letter.state in LetterState.open_states()
            and (message is None or message.author_id == actor.pk)
        )
    else:
        allowed = letters_visible_to(actor).filter(pk=letter.pk).exists()
    if not allowed:
        raise _reject(_("您不能给这封信添加附件。"), "forbidden")


def _clean_name(name: str | None) -> str:
    """The writer's file name as text: refuses paths and control characters rather than guessing."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name or name in {".", ".."} or "/" in name or "\\" in name or name.startswith("."):
        raise _reject(_("文件名无效：请只使用文件本身的名称，不要包含路径。"), "bad_name")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise _reject(_("文件名含有不允许的字符。"), "bad_name")
    if len(name) > MAX_NAME_LENGTH:
        raise _reject(_("文件名不能超过 %(max)s 个字符。") % {"max": MAX_NAME_LENGTH}, "bad_name")
    return name


def _read_within_limit(upload: File[bytes]) -> bytes:
    """Read the whole upload, stopping as soon as it passes the limit (the declared size may lie)."""
    limit = settings.XINFANG_ATTACHMENT_MAX_BYTES
    too_big = _reject(
        _("文件过大：每个文件不能超过 %(mb)s MB。") % {"mb": f"{limit / 1024 / 1024:g}"},
        "too_large",
    )
    if upload.size is not None and upload.size > limit:
        raise too_big
    buffer = io.BytesIO()
    for chunk in upload.chunks():
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise too_big
    if buffer.tell() == 0:
        raise _reject(_("文件是空的。"), "empty")
    return buffer.getvalue()


def _detect_kind(data: bytes, name: str) -> FileKind:
    kind = sniff(data[:16])
    if kind is None:
        raise _reject(_("不支持的文件类型：只接受 JPEG、PNG、GIF、WebP 图片和 PDF 文件。"), "unsupported_type")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in kind.extensions:
        raise _reject(
            _("文件名与文件内容不符：内容是 %(type)s，文件名应以 .%(ext)s 结尾。")
            % {"type": kind.pillow_format or "PDF", "ext": kind.extension},
            "name_mismatch",
        )
    return kind


def _image_copy(data: bytes, kind: FileKind) -> bytes:
    """Open, verify and fully decode an image, then return its sanitised copy. Damaged files and
    decompression bombs (too many pixels in a frame, or in all frames of an animation) are refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
                width, height = image.size
                if Image.MAX_IMAGE_PIXELS and getattr(image, "n_frames", 1) * width * height > Image.MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError("too many pixels in all frames")
                image.load()
                return sanitised_copy(image, kind)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _reject(_("图片尺寸过大。"), "image_too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _reject(_("图片文件已损坏或无法识别。"), "damaged_image") from exc


def _scan(data: bytes) -> tuple[str, str]:
    """Ask clamd, if configured: returns (scan_status, scan_result) or refuses the file."""
    address = settings.CLAMD_ADDRESS
    if not address:
        return Attachment.ScanStatus.NOT_SCANNED, ""
    try:
        verdict = clamav.scan_bytes(data, address, timeout=settings.CLAMD_TIMEOUT)
    except clamav.ClamdUnavailable:
        logger.exception("virus scanner unavailable; upload refused")
        raise _reject(_("病毒扫描服务暂时不可用，文件未上传，请稍后再试。"), "scan_unavailable") from None
    if verdict.infected:
        logger.warning("upload refused: clamd found %s", verdict.signature)
        raise _reject(_("文件未通过病毒扫描，已被拒绝。"), "infected")
    return Attachment.ScanStatus.CLEAN, verdict.reply[:200]


# ---------------------------------------------------------------- sanitised copy

# Image.info keys that carry pixels' meaning, not data about the photographer or device.
KEPT_INFO = ("transparency", "duration", "loop", "background", "disposal")


def _frames(image: Image.Image) -> Iterator[Image.Image]:
    for frame in ImageSequence.Iterator(image):
        clean = frame.copy()  # pixels and palette; copy() does not carry the parsed EXIF
        clean.info = {key: frame.info[key] for key in KEPT_INFO if key in frame.info}
        yield clean


def sanitised_copy(image: Image.Image, kind: FileKind) -> bytes:
    """Re-encode ``image`` with no metadata. JPEG orientation is applied to the pixels first, so
    the copy still shows the right way up once its EXIF orientation tag is gone."""
    if kind is JPEG:
        image = ImageOps.exif_transpose(image)
    frames = list(_frames(image))
    out = io.BytesIO()
    options: dict[str, object] = {"format": kind.pillow_format}
    if kind is JPEG:
        options.update(quality=90)
    if kind is WEBP:
        options.update(quality=90, lossless=False)
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:])
    frames[0].save(out, **options)  # type: ignore[arg-type]
    return out.getvalue()


# ---------------------------------------------------------------- sanitised PDF

# Of the actions a PDF may trigger (PDF 32000 §12.6.4), only moving inside the document is kept:
# JavaScript, Launch, URI, SubmitForm, ImportData, GoToR, GoToE, Rendition, … are removed.
SAFE_ACTIONS = frozenset({"/GoTo"})
# Annotations that exist to carry or play something: files, sounds, films, rich media, 3D.
ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"})
# The catalog's open action, document actions, portfolio view and XFA rendering switch.
ACTIVE_CATALOG_KEYS = ("/OpenAction", "/AA", "/Collection", "/NeedsRendering")
# Name trees of document-level scripts, embedded files and media.
ACTIVE_NAME_TREES = ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations", "/Renditions")
# Dropped from every dictionary: additional actions (on pages, annotations, form fields) and metadata.
DROPPED_EVERYWHERE = ("/AA", "/Metadata", "/PieceInfo")


def _pdf_copy(data: bytes) -> bytes:
    """The PDF with nothing a viewer could run, open or send, and no metadata; pages unchanged.
    Refused when it is encrypted with a password or cannot be parsed."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            _strip_active_content(pdf)
            out = io.BytesIO()
            pdf.save(out)  # writes only what is still reachable: removed scripts and files are gone
    except pikepdf.PasswordError as exc:
        raise _reject(
            _("PDF 文件设有打开密码，无法检查其内容：请上传未加密的文件。"),
            "encrypted_pdf",
        ) from exc
    except pikepdf.PikepdfError as exc:
        raise _reject(_("PDF 文件已损坏或无法识别。"), "damaged_pdf") from exc
    return out.getvalue()


def _strip_active_content(pdf: pikepdf.Pdf) -> None:
    root = pdf.Root
    _drop(root, *ACTIVE_CATALOG_KEYS)
    _drop(root.get("/Names"), *ACTIVE_NAME_TREES)
    _drop(root.get("/AcroForm"), "/XFA")
    _drop(pdf.trailer, "/Info")
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if isinstance(annotations, pikepdf.Array):
            page.obj.Annots = pikepdf.Array(a for a in annotations if a.get("/Subtype") not in ACTIVE_ANNOTATIONS)
    for dictionary in _dictionaries(pdf):
        _drop(dictionary, *DROPPED_EVERYWHERE)
        for key in ("/A", "/Next"):  # an annotation's or outline item's action; the next in a chain
            if _is_unsafe_action(dictionary.get(key)):
                del dictionary[key]


def _drop(dictionary: object, *keys: str) -> None:
    if isinstance(dictionary, pikepdf.Dictionary | pikepdf.Stream):
        for key in keys:
            if key in dictionary:
                del dictionary[key]


def _is_unsafe_action(value: object) -> bool:
    if isinstance(value, pikepdf.Array):
        return any(_is_unsafe_action(item) for item in value)
    return isinstance(value, pikepdf.Dictionary) and "/S" in value and value.S not in SAFE_ACTIONS


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary | pikepdf.Stream]:
    """Every dictionary reachable from the catalog, each once (no recursion: outlines chain deeply).
    The caller may remove entries of a dictionary before its children are visited."""
    stack: list[object] = [pdf.Root]
    seen: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream):
            continue  # numbers, names, strings: nothing inside
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
        else:
            yield item
            stack.extend(value for _key, value in item.items())


# ---------------------------------------------------------------- the service


def _random_name(kind: FileKind) -> str:
    return f"{secrets.token_hex(16)}.{kind.extension}"


def attachment_add(
    *,
    letter: Letter,
    upload: File[bytes],
    actor: User,
    internal: bool = False,
    message: Message | None = None,
) -> Attachment:
    """Check and store one uploaded file on ``letter``; ``AttachmentRejected`` says why not.

    Order matters (nothing may be half-stored):
    1. who may attach (the citizen who wrote the open letter; staff who may see it; internal
       files only by staff; an attachment to an internal note is internal);
    2. name, size, type by content and name/content agreement;
    3. virus scan of the bytes as received when clamd is configured (fail closed);
    4. full image decode and a copy without metadata; a PDF replaced by its sanitised copy (the
       original PDF is not kept: ``file``, ``size`` and ``sha256`` are the copy's);
    5. in one transaction with the letter row locked: the per-letter count, then the files
       (random names) and the row; files written before a failure are deleted again.
    """
    if message is not None and message.kind == Message.Kind.INTERNAL_NOTE:
        internal = True
    _check_access(letter=letter, actor=actor, internal=internal, message=message)
    name = _clean_name(upload.name)
    data = _read_within_limit(upload)
    kind = _detect_kind(data, name)
    scan_status, scan_result = _scan(data)
    copy = _image_copy(data, kind) if kind.pillow_format else None
    if kind is PDF:
        data = _pdf_copy(data)
    attachment = Attachment(
        letter=letter,
        message=message,
        original_name=name,
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        scan_status=scan_status,
        scan_result=scan_result,
        internal=internal,
        uploaded_by=actor,
    )
    return _store(attachment, data, copy, kind)


def _store(attachment: Attachment, data: bytes, copy: bytes | None, kind: FileKind) -> Attachment:
    limit = settings.XINFANG_ATTACHMENTS_PER_LETTER
    try:
        with transaction.atomic():
            Letter.objects.select_for_update().filter(pk=attachment.letter_id).first()
            if Attachment.objects.filter(letter_id=attachment.letter_id).count() >= limit:
                raise _reject(_("每封信最多 %(max)s 个附件。") % {"max": limit}, "too_many")
            attachment.file.save(_random_name(kind), ContentFile(data), save=False)
            if copy is not None:
                attachment.sanitised.save(_random_name(kind), ContentFile(copy), save=False)
            attachment.save()
    except BaseException:
        for stored in (attachment.file, attachment.sanitised):
            if stored:
                stored.delete(save=False)
        raise
    return attachment


# ---------------------------------------------------------------- reads


def attachments_visible_to(user: User, letter: Letter) -> QuerySet[Attachment]:
    """The attachments of ``letter`` that ``user`` may open (staff: all, incl. internal; the
    citizen who wrote it: the non-internal ones; anyone else: none)."""
    if not letters_visible_to(user).filter(pk=letter.pk).exists():
        return Attachment.objects.none()
    attachments = Attachment.objects.filter(letter=letter)
    return attachments.filter(internal=False) if user.is_citizen else attachments


def attachment_for(user: User, public_id: str) -> Attachment:
    """Fetch an attachment ``user`` may open, or 404 (never reveals that a hidden one exists)."""
    visible = Attachment.objects.filter(letter__in=letters_visible_to(user))
    if user.is_citizen:
        visible = visible.filter(internal=False)
    try:
        return visible.select_related("letter").get(public_id=public_id)
    except (Attachment.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
