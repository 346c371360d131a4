"""Following a letter: the list, the letter page, messages, the rating and the review requests."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.letters.conftest import decide_accused
from tests.portal.conftest import submit
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import Letter, LetterState, Message, Rating
from xinfang.orgs.models import Mailbox

pytestmark = pytest.mark.django_db
S = LetterState


def page(client: Client, letter: Letter) -> str:
    response = client.get(f"/my/letters/{letter.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def act(client: Client, letter: Letter, action: str, **data: object) -> object:
    return client.post(f"/my/letters/{letter.public_id}/{action}/", data)


def test_my_letters_lists_my_letters_with_state_and_due_date(
    citizen_client: Client, letter: Letter, other_citizen: User, gd_mailbox: Mailbox
) -> None:
    theirs = submit(other_citizen, gd_mailbox, subject="别人的信").letter
    body = citizen_client.get("/my/letters/").content.decode()
    assert letter.subject in body and "已接收，待受理" in body
    assert letter.accept_due is not None and letter.accept_due.isoformat() in body
    assert theirs.subject not in body


def test_another_citizen_cannot_open_my_letter(letter: Letter, other_citizen: User) -> None:
    client = Client()
    client.force_login(other_citizen)
    assert client.get(f"/my/letters/{letter.public_id}/").status_code == 404
    assert client.get(f"/my/letters/{letter.public_id}/submitted/").status_code == 404
    assert act(client, letter, "message", text="让我看看").status_code == 404  # type: ignore[attr-defined]
    assert not letter.messages.exists()


def test_staff_cannot_use_the_citizen_pages(letter: Letter, acceptor: User) -> None:
    client = Client()
    client.force_login(acceptor)
    assert client.get(f"/my/letters/{letter.public_id}/").status_code == 403


def test_the_citizen_and_the_handler_talk_online_with_attachments(
    citizen_client: Client, replied_letter: Letter, handler: User
) -> None:
    letter = replied_letter
    s.message_post(letter=letter, actor=handler, kind=Message.Kind.TO_CITIZEN, text="请提供办理回执的照片。")
    s.message_post(letter=letter, actor=handler, kind=Message.Kind.INTERNAL_NOTE, text="内部：核实监控")
    listing = citizen_client.get("/my/letters/").content.decode()
    assert "1 条新留言" in listing
    body = page(citizen_client, letter)
    assert "请提供办理回执的照片。" in body and "内部：核实监控" not in body
    assert not letter.messages.filter(kind=Message.Kind.TO_CITIZEN, read_at__isnull=True).exists()
    image = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (4, 4), "blue").save(image, format="JPEG")
    upload = SimpleUploadedFile("receipt.jpg", image.getvalue(), content_type="image/jpeg")
    response = act(citizen_client, letter, "message", text="回执照片见附件。", attachments=upload)
    assert response.status_code == 302  # type: ignore[attr-defined]
    mine = letter.messages.get(kind=Message.Kind.FROM_CITIZEN)
    assert mine.text == "回执照片见附件。" and mine.attachments.get().original_name == "receipt.jpg"
    assert "回执照片见附件。" in page(citizen_client, letter)


def test_the_citizen_reads_the_reply_rates_it_dissatisfied_and_asks_for_review(
    citizen_client: Client, replied_letter: Letter
) -> None:
    letter = replied_letter
    body = page(citizen_client, letter)
    assert "经调查，已责令该所限期办结并向您致歉。" in body
    assert 'id="evaluate"' in body and 'id="review"' in body
    act(citizen_client, letter, "evaluate", rating=Rating.DISSATISFIED, comment="仍未办理")
    letter.refresh_from_db()
    assert letter.state == S.EVALUATED and letter.rating == Rating.DISSATISFIED
    body = page(citizen_client, letter)
    assert 'id="evaluate"' not in body and 'id="review"' in body
    act(citizen_client, letter, "review", reason="答复后仍未办理户籍迁移。")
    letter.refresh_from_db()
    assert letter.state == S.REVIEW_REQUESTED
    assert 'id="review"' not in page(citizen_client, letter)


def test_the_review_button_is_gone_once_the_window_has_closed(
    citizen_client: Client, citizen: User, replied_letter: Letter
) -> None:
    assert replied_letter.review_request_due is not None
    after = dt.datetime.combine(replied_letter.review_request_due + dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC)
    with time_machine.travel(after, tick=False):
        citizen_client.force_login(citizen)  # the earlier session has expired by then
        body = page(citizen_client, replied_letter)
        assert 'id="review"' not in body
        refused = act(citizen_client, replied_letter, "review", reason="迟到的复查申请")
        text = refused.content.decode()  # type: ignore[attr-defined]
    assert "已超过申请复查的期限" in text and "迟到的复查申请" in text  # the reason typed stays
    replied_letter.refresh_from_db()
    assert replied_letter.state == S.REPLIED


def test_a_re_examination_can_be_asked_after_the_review_answer(
    citizen_client: Client, replied_letter: Letter, gz_reviewer: User
) -> None:
    s.letter_request_review(letter=replied_letter, actor=replied_letter.citizen, reason="不服")  # type: ignore[arg-type]
    s.letter_answer_review(letter=replied_letter, actor=gz_reviewer, text="复查维持原答复意见。")
    body = page(citizen_client, replied_letter)
    assert "复查维持原答复意见。" in body and 'id="reexam"' in body
    act(citizen_client, replied_letter, "reexam", reason="不服复查意见")
    replied_letter.refresh_from_db()
    assert replied_letter.state == S.REEXAM_REQUESTED


def test_the_citizen_supplies_information_when_asked(citizen_client: Client, letter: Letter, acceptor: User) -> None:
    s.letter_request_info(letter=letter, actor=acceptor, reason="请补充办理户籍迁移的日期和派出所名称。")
    body = page(citizen_client, letter)
    assert "请补充办理户籍迁移的日期和派出所名称。" in body and 'id="supply"' in body
    empty = act(citizen_client, letter, "supply", text="")
    assert 'id="id_text_error"' in empty.content.decode()  # type: ignore[attr-defined]
    act(citizen_client, letter, "supply", text="2026 年 2 月 3 日，天河南派出所。")
    letter.refresh_from_db()
    assert letter.state == S.RECEIVED


def test_an_unknown_action_is_not_found(citizen_client: Client, letter: Letter) -> None:
    assert act(citizen_client, letter, "delete").status_code == 404  # type: ignore[attr-defined]


def test_the_timeline_shows_what_the_citizen_may_see_and_not_internal_reasons(
    citizen_client: Client, letter: Letter, acceptor: User, guangzhou: object
) -> None:
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=guangzhou, reason="内部理由：天河分局人手不足")  # type: ignore[arg-type]
    body = page(citizen_client, letter)
    assert "受理" in body and "广州市公安局" in body
    assert "内部理由" not in body


def test_received_today_is_shown_in_local_time(citizen_client: Client, letter: Letter) -> None:
    local = timezone.localtime(letter.received_at).strftime("%Y-%m-%d %H:%M")
    assert local in page(citizen_client, letter)
