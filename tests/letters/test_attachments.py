"""Uploads on letters: what is accepted, what is stored, and who may download it.

Every file is generated here. This module is also the URLconf of its download tests, so they do
not depend on where the project mounts ``xinfang.pages.urls_files``.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone, translation
from PIL import ExifTags, Image, PngImagePlugin
from pytest_django.fixtures import Settings

from tests.console.conftest import sign_in
from tests.factories import GPS, jpeg_with_gps
from tests.letters.pdfs import PAGE_TEXT, decompressed, plain_pdf
from xinfang.accounts.models import User
from xinfang.accounts.services import citizen_create
from xinfang.letters.attachments import AttachmentRejected, attachment_add, attachments_visible_to
from xinfang.letters.models import Attachment, Letter, LetterState, Message
from xinfang.letters.services import message_post

urlpatterns = [path("files/", include("xinfang.pages.urls_files"))]


# ---------------------------------------------------------------- generated files


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San, 13800138000")
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, comment=b"Zhang San")
    return out.getvalue()


def webp_with_exif() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 128, 0)).save(out, format="WEBP", exif=exif)
    return out.getvalue()


PDF = plain_pdf()
# The start of a Windows executable (the "MZ" DOS header), as a renamed .exe would begin.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")  # the browser's claim is ignored


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.CLAMD_ADDRESS = ""
    return tmp_path


def refused(code: str, **kwargs: Any) -> AttachmentRejected:
    with pytest.raises(AttachmentRejected) as caught:
        attachment_add(**kwargs)
    assert caught.value.code == code, caught.value.messages
    return caught.value


# ---------------------------------------------------------------- what is kept


def test_it_keeps_the_original_byte_for_byte_and_gives_staff_a_copy_without_exif(
    letter: Letter, citizen: User, media: Path
) -> None:
    original = jpeg_with_gps()
    attachment = attachment_add(letter=letter, upload=upload(original, "现场照片.jpg"), actor=citizen)

    attachment.refresh_from_db()
    assert attachment.file.read() == original
    assert attachment.sha256 == hashlib.sha256(original).hexdigest()
    assert attachment.size == len(original)
    assert attachment.content_type == "image/jpeg"
    assert attachment.original_name == "现场照片.jpg"
    with Image.open(attachment.sanitised.path) as copy:
        assert len(copy.getexif()) == 0
        assert not {"exif", "comment", "xmp", "icc_profile"} & set(copy.info)
        assert copy.size == (64, 48)
    assert b"TestCam" not in Path(attachment.sanitised.path).read_bytes()
    with Image.open(attachment.file.path) as kept:
        assert kept.getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS


def test_the_copy_is_turned_the_right_way_up_before_the_orientation_tag_goes(letter: Letter, citizen: User) -> None:
    attachment = attachment_add(letter=letter, upload=upload(jpeg_with_gps(orientation=6), "a.jpg"), actor=citizen)

    with Image.open(attachment.sanitised.path) as copy:
        assert copy.size == (48, 64)


def test_png_text_chunks_are_removed_from_the_copy(letter: Letter, citizen: User) -> None:
    attachment = attachment_add(letter=letter, upload=upload(png_with_text(), "截图.PNG"), actor=citizen)

    assert attachment.content_type == "image/png"
    with Image.open(attachment.sanitised.path) as copy:
        assert "Author" not in copy.info
        assert copy.mode == "RGBA"
    assert b"13800138000" not in Path(attachment.sanitised.path).read_bytes()


def test_an_animated_gif_keeps_its_frames_but_not_its_comment(letter: Letter, citizen: User) -> None:
    attachment = attachment_add(letter=letter, upload=upload(animated_gif(), "clip.gif"), actor=citizen)

    with Image.open(attachment.sanitised.path) as copy:
        assert getattr(copy, "n_frames", 1) == 2
        assert "comment" not in copy.info


def test_webp_gps_is_removed_from_the_copy(letter: Letter, citizen: User) -> None:
    attachment = attachment_add(letter=letter, upload=upload(webp_with_exif(), "p.webp"), actor=citizen)

    assert attachment.content_type == "image/webp"
    with Image.open(attachment.sanitised.path) as copy:
        assert len(copy.getexif()) == 0


def test_a_pdf_is_accepted_and_kept_only_as_its_sanitised_copy(letter: Letter, citizen: User) -> None:
    attachment = attachment_add(letter=letter, upload=upload(PDF, "病历.pdf"), actor=citizen)

    attachment.refresh_from_db()
    assert attachment.content_type == "application/pdf"
    assert not attachment.sanitised  # one file: the copy (see tests/letters/test_attachments_pdf.py)
    stored = attachment.file.read()
    assert PAGE_TEXT in decompressed(stored)
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest() and attachment.size == len(stored)
    assert attachment.scan_status == Attachment.ScanStatus.NOT_SCANNED


def test_server_side_names_are_random_and_never_the_writers(letter: Letter, citizen: User, media: Path) -> None:
    first = attachment_add(letter=letter, upload=upload(PDF, "举报材料.pdf"), actor=citizen)
    second = attachment_add(letter=letter, upload=upload(PDF, "举报材料.pdf"), actor=citizen)

    names = [Path(first.file.path).name, Path(second.file.path).name]
    assert names[0] != names[1]
    assert all("举报" not in name and name.endswith(".pdf") for name in names)
    assert all(p.resolve().is_relative_to(media.resolve()) for p in stored_files(media))


# ---------------------------------------------------------------- what is refused


def test_it_refuses_an_executable_renamed_to_jpg(letter: Letter, citizen: User, media: Path) -> None:
    error = refused("unsupported_type", letter=letter, upload=upload(EXECUTABLE, "photo.jpg"), actor=citizen)

    assert "JPEG" in error.messages[0]
    assert stored_files(media) == []
    assert not Attachment.objects.exists()


def test_it_refuses_a_name_that_does_not_match_the_content(letter: Letter, citizen: User) -> None:
    refused("name_mismatch", letter=letter, upload=upload(jpeg_with_gps(), "report.pdf"), actor=citizen)
    refused("name_mismatch", letter=letter, upload=upload(PDF, "photo"), actor=citizen)


def test_it_refuses_an_oversized_file_without_storing_anything(
    letter: Letter, citizen: User, media: Path, settings: Settings
) -> None:
    settings.XINFANG_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"%" * (1024 * 1024)

    error = refused("too_large", letter=letter, upload=upload(big, "big.pdf"), actor=citizen)

    assert "1 MB" in error.messages[0]
    assert stored_files(media) == [] and not Attachment.objects.exists()


def test_it_does_not_trust_a_declared_size(letter: Letter, citizen: User, settings: Settings) -> None:
    settings.XINFANG_ATTACHMENT_MAX_BYTES = 1000
    lying = ContentFile(PDF + b"%" * 5000, name="small.pdf")
    lying.size = 10

    refused("too_large", letter=letter, upload=lying, actor=citizen)


def test_it_refuses_an_empty_file(letter: Letter, citizen: User) -> None:
    refused("empty", letter=letter, upload=upload(b"", "empty.pdf"), actor=citizen)


@pytest.mark.parametrize("name", ["../../etc/cron.d/x.jpg", "..\\..\\x.jpg", ".htaccess.jpg", "a\x00.jpg", ""])
def test_it_refuses_a_path_or_a_strange_name(letter: Letter, citizen: User, media: Path, name: str) -> None:
    refused("bad_name", letter=letter, upload=ContentFile(jpeg_with_gps(), name=name), actor=citizen)
    assert stored_files(media) == []


def test_a_browser_upload_with_a_path_is_stored_under_its_plain_name(
    letter: Letter, citizen: User, media: Path
) -> None:
    # Django keeps only the last part of a multipart file name; the stored name is random anyway.
    attachment = attachment_add(letter=letter, upload=upload(PDF, "../../etc/passwd.pdf"), actor=citizen)

    assert attachment.original_name == "passwd.pdf"
    assert "etc" not in Path(attachment.file.path).relative_to(media).parts


def test_it_refuses_a_damaged_image(letter: Letter, citizen: User) -> None:
    damaged = jpeg_with_gps()[:200]

    refused("damaged_image", letter=letter, upload=upload(damaged, "broken.jpg"), actor=citizen)


def test_it_refuses_an_image_with_too_many_pixels(
    letter: Letter, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    refused("image_too_large", letter=letter, upload=upload(jpeg_with_gps(), "huge.jpg"), actor=citizen)


def test_it_counts_the_pixels_of_every_frame_of_an_animation(
    letter: Letter, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)  # one 16×16 frame fits, two do not

    refused("image_too_large", letter=letter, upload=upload(animated_gif(), "clip.gif"), actor=citizen)


def test_it_limits_the_number_of_files_on_one_letter(
    letter: Letter, citizen: User, settings: Settings, media: Path
) -> None:
    settings.XINFANG_ATTACHMENTS_PER_LETTER = 2
    for n in range(2):
        attachment_add(letter=letter, upload=upload(PDF, f"{n}.pdf"), actor=citizen)

    error = refused("too_many", letter=letter, upload=upload(PDF, "third.pdf"), actor=citizen)

    assert "2" in error.messages[0]
    assert len(stored_files(media)) == 2


def test_the_refusal_is_translated(letter: Letter, citizen: User) -> None:
    with translation.override("en"):
        error = refused("unsupported_type", letter=letter, upload=upload(EXECUTABLE, "photo.jpg"), actor=citizen)

    assert "Unsupported file type" in error.messages[0]


# ---------------------------------------------------------------- who may attach


def other_citizen() -> User:
    return citizen_create(
        real_name="李四",
        id_number="440106198001011230",
        phone="13900139000",
        password="another-long-password-1",
        phone_verified_at=timezone.now(),
    )


def test_only_the_writer_and_staff_who_see_the_letter_may_attach(
    letter: Letter, citizen: User, acceptor: User, outsider: User
) -> None:
    refused("forbidden", letter=letter, upload=upload(PDF, "x.pdf"), actor=outsider)
    refused("forbidden", letter=letter, upload=upload(PDF, "x.pdf"), actor=other_citizen())
    refused("forbidden", letter=letter, upload=upload(PDF, "x.pdf"), actor=citizen, internal=True)

    assert attachment_add(letter=letter, upload=upload(PDF, "x.pdf"), actor=acceptor, internal=True).internal


def test_the_writer_cannot_attach_to_a_closed_letter(letter: Letter, citizen: User) -> None:
    Letter.objects.filter(pk=letter.pk).update(state=LetterState.CLOSED)
    letter.refresh_from_db()

    refused("forbidden", letter=letter, upload=upload(PDF, "late.pdf"), actor=citizen)


def test_a_file_on_an_internal_note_is_internal(letter: Letter, acceptor: User, citizen: User) -> None:
    note = message_post(letter=letter, actor=acceptor, kind=Message.Kind.INTERNAL_NOTE, text="核查记录见附件")

    attachment = attachment_add(letter=letter, upload=upload(PDF, "核查.pdf"), actor=acceptor, message=note)

    assert attachment.internal
    assert list(attachments_visible_to(citizen, letter)) == []
    assert list(attachments_visible_to(acceptor, letter)) == [attachment]


# ---------------------------------------------------------------- downloads

pytestmark_urls = pytest.mark.urls(__name__)


@pytest.fixture
def evidence(letter: Letter, citizen: User) -> Attachment:
    return attachment_add(letter=letter, upload=upload(jpeg_with_gps(), "现场.jpg"), actor=citizen)


@pytest.fixture
def internal_file(letter: Letter, acceptor: User) -> Attachment:
    return attachment_add(letter=letter, upload=upload(PDF, "内部.pdf"), actor=acceptor, internal=True)


def download(client: Client, attachment: Attachment, *, original: bool = False) -> Any:
    url = reverse("files:attachment_download", args=[attachment.public_id])
    return client.get(url, {"original": "1"} if original else {})


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def assert_safe_download(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytestmark_urls
def test_staff_download_the_copy_without_metadata_by_default(evidence: Attachment, acceptor: User) -> None:
    response = download(sign_in(Client(), acceptor), evidence)

    assert_safe_download(response)
    assert response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(body(response))) as image:
        assert len(image.getexif()) == 0


@pytestmark_urls
def test_staff_may_ask_for_the_original_evidence(evidence: Attachment, acceptor: User) -> None:
    response = download(sign_in(Client(), acceptor), evidence, original=True)

    assert_safe_download(response)
    assert hashlib.sha256(body(response)).hexdigest() == evidence.sha256


@pytestmark_urls
def test_the_writer_downloads_their_file_but_never_an_internal_one(
    evidence: Attachment, internal_file: Attachment, citizen: User
) -> None:
    client = Client()
    client.force_login(citizen)

    response = download(client, evidence, original=True)
    assert_safe_download(response)
    with Image.open(io.BytesIO(body(response))) as image:
        assert len(image.getexif()) == 0  # "original" is a staff option only
    assert download(client, internal_file).status_code == 404


@pytestmark_urls
def test_staff_see_internal_files(internal_file: Attachment, acceptor: User) -> None:
    response = download(sign_in(Client(), acceptor), internal_file)

    assert_safe_download(response)
    assert body(response) == Path(internal_file.file.path).read_bytes()


@pytestmark_urls
def test_it_validates_ownership(evidence: Attachment, outsider: User, acceptor: User) -> None:
    stranger = Client()
    stranger.force_login(other_citizen())
    half_signed_in = Client()
    half_signed_in.force_login(acceptor)  # password only, no second factor

    for client in (sign_in(Client(), outsider), stranger, half_signed_in, Client()):
        assert download(client, evidence).status_code == 404
        assert download(client, evidence, original=True).status_code == 404


@pytestmark_urls
def test_an_unknown_attachment_is_404(acceptor: User) -> None:
    client = sign_in(Client(), acceptor)

    assert client.get("/files/attachments/00000000-0000-0000-0000-000000000000/").status_code == 404
