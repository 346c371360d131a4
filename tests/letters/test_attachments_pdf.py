"""Uploaded PDFs are stored only as a sanitised copy: no scripts, actions, embedded files or XFA.

Every sample is a real PDF built here with pikepdf (``tests/letters/pdfs.py``) and goes through the
real upload path: ``attachment_add``, the portal's letter form, and the download staff use. The
stored copy is checked object by object, decompressed, for each active element and its payload.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import include, path, reverse
from django.utils import translation
from pytest_django.fixtures import Settings

from tests.console.conftest import sign_in
from tests.letters import pdfs
from xinfang.accounts.models import User
from xinfang.letters.attachments import AttachmentRejected, attachment_add
from xinfang.letters.models import Attachment, Letter
from xinfang.orgs.models import Mailbox

urlpatterns = [path("files/", include("xinfang.pages.urls_files"))]  # for the download test

PORTAL_FORM = {
    "letter_type": "complaint",
    "police_type": "household",
    "province": "440000",
    "city": "440100",
    "county": "440106",
    "address": "天河路 1 号",
    "subject": "派出所办理户籍迁移拖延",
    "text": "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。材料见附件。",
    "channel": "web",
}


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.CLAMD_ADDRESS = ""
    return tmp_path


def pdf_upload(data: bytes, name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def assert_clean_with_its_pages(stored: bytes, forbidden: tuple[bytes, ...], pages: int = 2) -> None:
    everything = pdfs.decompressed(stored)
    assert [marker for marker in forbidden if marker in everything] == []
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == pages
        for number, page in enumerate(pdf.pages, 1):
            assert pdfs.PAGE_TEXT + b" %d" % number in page.Contents.read_bytes()


@pytest.mark.parametrize("element", list(pdfs.ACTIVE))
def test_each_active_element_is_removed_and_the_pages_stay(letter: Letter, citizen: User, element: str) -> None:
    sample = pdfs.active_pdf(element)
    forbidden = pdfs.forbidden(element)
    assert all(marker in pdfs.decompressed(sample) for marker in forbidden)  # the sample really carries it

    attachment = attachment_add(letter=letter, upload=pdf_upload(sample), actor=citizen)

    attachment.refresh_from_db()
    assert_clean_with_its_pages(attachment.file.read(), forbidden)


@pytest.mark.urls(__name__)
def test_only_the_sanitised_copy_is_stored_and_served_even_as_the_original(
    letter: Letter, citizen: User, acceptor: User, media: Path
) -> None:
    attachment = attachment_add(letter=letter, upload=pdf_upload(pdfs.active_pdf()), actor=citizen)

    stored = [p for p in media.rglob("*") if p.is_file()]
    assert stored == [Path(attachment.file.path)] and not attachment.sanitised
    assert_clean_with_its_pages(stored[0].read_bytes(), pdfs.forbidden())
    url = reverse("files:attachment_download", args=[attachment.public_id])
    response = sign_in(Client(), acceptor).get(url, {"original": "1"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored[0].read_bytes()


def test_a_letter_posted_on_the_portal_keeps_a_clean_copy_of_its_pdf(citizen: User, gd_mailbox: Mailbox) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(citizen)

    response = client.post("/m/gd/write/", {**PORTAL_FORM, "attachments": [pdf_upload(pdfs.active_pdf(), "证据.pdf")]})

    assert response.status_code == 302
    attachment = Letter.objects.get(citizen=citizen).attachments.get()
    assert attachment.original_name == "证据.pdf"
    assert_clean_with_its_pages(attachment.file.read(), pdfs.forbidden())


def test_a_pdf_with_a_print_restriction_but_no_password_is_kept_decrypted(letter: Letter, citizen: User) -> None:
    attachment = attachment_add(letter=letter, upload=pdf_upload(pdfs.owner_only_encrypted_pdf()), actor=citizen)

    with pikepdf.open(attachment.file.path) as pdf:
        assert not pdf.is_encrypted
    assert_clean_with_its_pages(attachment.file.read(), (b"/Encrypt",), pages=1)


@pytest.mark.parametrize(
    ("sample", "code", "words"),
    [
        (pdfs.encrypted_pdf, "encrypted_pdf", "password"),
        (pdfs.corrupt_pdf, "damaged_pdf", "damaged"),
    ],
)
def test_an_encrypted_or_corrupt_pdf_is_refused_saying_why(
    letter: Letter, citizen: User, media: Path, sample: Any, code: str, words: str
) -> None:
    with translation.override("en"), pytest.raises(AttachmentRejected) as caught:
        attachment_add(letter=letter, upload=pdf_upload(sample()), actor=citizen)

    assert caught.value.code == code
    assert words in caught.value.messages[0]
    assert not Attachment.objects.exists() and not [p for p in media.rglob("*") if p.is_file()]


def test_the_portal_says_next_to_the_field_that_an_encrypted_pdf_cannot_be_taken(
    citizen: User, gd_mailbox: Mailbox
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(citizen)

    response = client.post("/m/gd/write/", {**PORTAL_FORM, "attachments": [pdf_upload(pdfs.encrypted_pdf())]})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_attachments_error"' in page and "设有打开密码" in page
    assert PORTAL_FORM["subject"] in page  # what the writer typed is kept
    assert not Letter.objects.exists()
