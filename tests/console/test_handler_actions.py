"""The handler works a letter through the page: each action, validation next to the field, conflicts."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pytest_django.fixtures import Settings

from tests.factories import action_url, assigned_letter, handled_letter, page_url, post_action, text_of
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import AssignmentMode, Attachment, Extension, Letter, LetterState, Message
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
S = LetterState


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User) -> Letter:
    return handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)


def test_starting_to_handle_moves_the_letter_and_comes_back_with_a_confirmation(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    client = console_client(handler)
    response = post_action(client, letter, "start_handling", {})
    assert response.status_code == 302 and response["Location"] == page_url(letter)
    letter.refresh_from_db()
    assert letter.state == S.IN_HANDLING
    assert "已开始办理" in text_of(client.get(page_url(letter)))


def test_asking_for_an_extension_goes_to_the_leader(console_client: SignIn, letter: Letter, handler: User) -> None:
    post_action(console_client(handler), letter, "request_extension", {"days": 20, "reason": "需调取监控录像"})
    extension = Extension.objects.get(letter=letter)
    assert extension.days == 20 and extension.status == Extension.Status.PENDING


def test_too_many_days_are_refused_next_to_the_field_in_the_users_language(
    console_client: SignIn, letter: Letter, handler: User
) -> None:
    client = console_client(handler)
    response = post_action(client, letter, "request_extension", {"days": 45, "reason": "需调取监控录像"})
    html = response.content.decode()
    days_field = html[html.index('name="request_extension-days"') - 600 : html.index('name="request_extension-days"')]
    assert "30" in days_field and "小于或等于" in days_field
    assert "需调取监控录像" in html  # what was typed is kept
    english = post_action(client, letter, "request_extension", {"days": 45, "reason": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "less than or equal to 30" in english.content.decode()
    assert not Extension.objects.filter(letter=letter).exists()


def test_a_refusal_by_the_service_is_shown_on_the_form(
    console_client: SignIn, letter: Letter, handler: User, leader: User
) -> None:
    s.letter_request_extension(letter=letter, actor=handler, days=10, reason="走访")
    s.letter_decide_extension(letter=letter, actor=leader, approve=True)
    client = console_client(handler)
    # The form is no longer offered once an extension was granted; posting anyway is refused.
    assert post_action(client, letter, "request_extension", {"days": 5, "reason": "再延"}).status_code == 403


def test_drafting_a_reply_sends_it_for_approval(console_client: SignIn, letter: Letter, handler: User) -> None:
    post_action(console_client(handler), letter, "draft_reply", {"text": "经调查，已责令该所限期办结。"})
    letter.refresh_from_db()
    assert letter.state == S.REPLY_DRAFTED and letter.reply_text == "经调查，已责令该所限期办结。"


def test_an_empty_draft_is_refused_next_to_the_field(console_client: SignIn, letter: Letter, handler: User) -> None:
    response = post_action(console_client(handler), letter, "draft_reply", {"text": "  "})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    letter.refresh_from_db()
    assert letter.state == S.IN_HANDLING


def test_reporting_back_on_an_assigned_letter_is_recorded_for_the_assigning_unit(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe, mode=AssignmentMode.ASSIGN)
    s.letter_start_handling(letter=letter, actor=handler)
    post_action(console_client(handler), letter, "report_back", {"text": "已约谈涉事民警。"})
    assert letter.events.filter(action="report_back", reason="已约谈涉事民警。").exists()


def test_returning_a_misrouted_letter_sends_it_back_to_the_front_desk(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    response = post_action(console_client(handler), letter, "return_misrouted", {"reason": "事发地不在本辖区"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == S.ACCEPTED and letter.handling_unit is None and letter.return_count == 1


def test_writing_to_the_citizen_posts_a_visible_message(console_client: SignIn, letter: Letter, handler: User) -> None:
    console_client(handler).post(action_url(letter, "message"), {"message-text": "请提供办理回执照片"})
    message = Message.objects.get(letter=letter)
    assert message.kind == Message.Kind.TO_CITIZEN and message.citizen_visible


def test_an_internal_note_with_a_file_keeps_both_internal(
    console_client: SignIn, letter: Letter, handler: User, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CLAMD_ADDRESS = ""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    upload = SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")
    client = console_client(handler)
    response = client.post(action_url(letter, "note"), {"note-text": "现场照片", "note-file": upload})
    assert response.status_code == 302
    note = Message.objects.get(letter=letter)
    assert note.kind == Message.Kind.INTERNAL_NOTE and not note.citizen_visible
    attachment = Attachment.objects.get(letter=letter)
    assert attachment.internal and attachment.message == note
    html = client.get(page_url(letter)).content.decode()
    assert "现场.png" in html and "tag-internal" in html


def test_a_refused_file_leaves_no_note_and_says_why_next_to_the_file(
    console_client: SignIn, letter: Letter, handler: User, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CLAMD_ADDRESS = ""
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00 not a picture", content_type="application/octet-stream")
    response = console_client(handler).post(action_url(letter, "note"), {"note-text": "附件", "note-file": upload})
    assert response.status_code == 200
    assert not Message.objects.filter(letter=letter).exists() and not Attachment.objects.exists()
    html = response.content.decode()
    assert 'class="field field-invalid"' in html and "附件" in html


def test_the_loser_of_two_staff_acting_at_once_sees_the_conflict_and_keeps_what_they_typed(
    console_client: SignIn, letter: Letter, handler: User, tianhe: Unit
) -> None:
    from tests.conftest import make_staff
    from xinfang.accounts.models import Role

    colleague = make_staff("colleague", tianhe, Role.HANDLER)
    seen = letter.version  # both opened the page at this version
    s.letter_request_extension(letter=letter, actor=colleague, days=10, reason="同事先申请了延期")
    response = console_client(handler).post(
        action_url(letter, "draft_reply"),
        {"draft_reply-version": seen, "draft_reply-text": "我写了很久的答复稿"},
    )
    assert response.status_code == 409
    page = text_of(response)
    assert "这封信已被其他人处理" in page and "我写了很久的答复稿" in page
    letter.refresh_from_db()
    assert letter.state == S.IN_HANDLING and letter.reply_text == ""
    # The form shown with the conflict carries the new version, so submitting it again now works.
    html = response.content.decode()
    assert f'name="draft_reply-version" value="{letter.version}"' in html


def test_a_conflict_where_the_action_is_gone_shows_the_text_read_only(
    console_client: SignIn, letter: Letter, handler: User, tianhe: Unit
) -> None:
    from tests.conftest import make_staff
    from xinfang.accounts.models import Role

    colleague = make_staff("colleague", tianhe, Role.HANDLER)
    seen = letter.version
    s.letter_draft_reply(letter=letter, actor=colleague, text="同事的答复稿")
    response = console_client(handler).post(
        action_url(letter, "draft_reply"), {"draft_reply-version": seen, "draft_reply-text": "我的答复稿"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "我的答复稿" in html and "readonly" in html
    letter.refresh_from_db()
    assert letter.reply_text == "同事的答复稿"


def test_a_conflict_inside_the_service_is_shown_the_same_way(
    console_client: SignIn, letter: Letter, handler: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two clicks in the same instant: both saw the same version, the service's conditional update decides."""
    from xinfang.letters.lifecycle import Conflict

    def lose(**kwargs: object) -> None:
        raise Conflict("这封信刚刚被其他人处理过，请刷新后查看最新情况再操作。")

    monkeypatch.setattr(s, "letter_draft_reply", lose)
    response = post_action(console_client(handler), letter, "draft_reply", {"text": "同一时刻提交的答复稿"})
    assert response.status_code == 409
    page = text_of(response)
    assert "刚刚被其他人处理过" in page and "同一时刻提交的答复稿" in page
