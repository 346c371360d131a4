"""Small things a newcomer tripped on (issue 20 §3): the desk names the place, and a replied letter's
due date reads as having none pending rather than "— 无期限 待定"; the acceptance page lists the
attachments and shows images and PDFs in place."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pytest_django.fixtures import Settings

from tests.console.conftest import sign_in
from tests.factories import handled_letter, page_url, receive, text_of
from tests.letters.pdfs import plain_pdf
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.attachments import attachment_add
from xinfang.letters.models import LetterState
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db


def test_the_desk_shows_the_place_by_name_not_by_code(citizen: User, gd_mailbox: Mailbox, acceptor: User) -> None:
    letter = receive(citizen, gd_mailbox, address="体育西路 1 号")
    page = text_of(sign_in(Client(), acceptor).get(f"/console/desk/{letter.public_id}/"))
    assert "事发地 广东省广州市天河区 体育西路 1 号" in page
    assert "事发地 440106" not in page


def test_in_english_the_place_reads_from_the_district_up(citizen: User, gd_mailbox: Mailbox, acceptor: User) -> None:
    letter = receive(citizen, gd_mailbox)
    client = sign_in(Client(), acceptor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text_of(client.get(f"/console/desk/{letter.public_id}/"))
    assert "Tianhe District, Guangzhou City, Guangdong Province" in page


def test_a_replied_letter_has_no_due_date_pending_and_no_stray_marks(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User
) -> None:
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    s.letter_draft_reply(letter=letter, actor=handler, text="经核查，已整改。")
    s.letter_approve_reply(letter=letter, actor=leader)
    letter.refresh_from_db()
    assert letter.state == LetterState.REPLIED and letter.current_due is None
    page = text_of(sign_in(Client(), handler).get(page_url(letter)))
    current = page.split("当前期限 ", 1)[1].split(" 受理期限", 1)[0]
    assert current == "无待办期限", current  # not "— 无期限 待定"


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.CLAMD_ADDRESS = ""
    return tmp_path


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def test_the_acceptance_page_lists_attachments_and_previews_images_and_pdfs_in_place(
    media: Path, citizen: User, gd_mailbox: Mailbox, acceptor: User, outsider: User
) -> None:
    letter = receive(citizen, gd_mailbox)
    image = attachment_add(letter=letter, upload=SimpleUploadedFile("现场照片.png", png()), actor=citizen)
    pdf = attachment_add(letter=letter, upload=SimpleUploadedFile("材料.pdf", plain_pdf()), actor=citizen)
    staff = sign_in(Client(), acceptor)

    page = staff.get(f"/console/desk/{letter.public_id}/").content.decode()
    assert "现场照片.png" in page and "材料.pdf" in page
    assert f'<img class="preview" src="/files/attachments/{image.public_id}/preview/"' in page
    assert f'<iframe class="preview" src="/files/attachments/{pdf.public_id}/preview/"' in page

    shown = staff.get(f"/files/attachments/{image.public_id}/preview/")
    assert (shown.status_code, shown["Content-Type"], shown["Content-Disposition"]) == (200, "image/png", "inline")
    assert b"".join(shown.streaming_content) == image.sanitised.open("rb").read()  # the copy without metadata
    framed = staff.get(f"/files/attachments/{pdf.public_id}/preview/")
    assert framed["Content-Type"] == "application/pdf" and framed["Content-Disposition"] == "inline"
    assert framed["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in framed["Content-Security-Policy"]

    outsider_client = sign_in(Client(), outsider)
    assert outsider_client.get(f"/files/attachments/{image.public_id}/preview/").status_code == 404
    assert Client().get(f"/files/attachments/{image.public_id}/preview/").status_code == 404
    writer = Client()
    writer.force_login(citizen)  # the writer downloads their files; the preview is the staff page's
    assert writer.get(f"/files/attachments/{image.public_id}/preview/").status_code == 404
