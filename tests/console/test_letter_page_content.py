"""The letter page every member of staff opens: what it shows, to whom, and what it never shows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import assigned_letter, handled_letter, page_url, text_of
from tests.letters.conftest import submit
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import Message
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]


def test_the_page_shows_the_header_due_dates_place_and_the_masked_writer(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    haizhu = Unit.objects.get(code="440105")  # naming an officer accuses a unit: not Tianhe, which handles it
    letter = handled_letter(
        citizen, gd_mailbox, acceptor, tianhe, handler, accused_unit=haizhu, accused_officer_name="李四",
        accused_badge_number="123456", reason="涉事地点在天河区，由天河区分局调查",
    )  # fmt: skip
    page = text_of(console_client(handler).get(page_url(letter)))
    assert letter.tracking_number in page and "办理中" in page
    assert letter.reply_due is not None and letter.reply_due.isoformat() in page
    assert "广东省公安厅厅长信箱" in page and "投诉" in page and "天河区" in page
    assert "李四" in page and "123456" in page
    assert "张*" in page and "138****8000" in page
    assert "张三" not in page and "13800138000" not in page and "11010519491231002X" not in page


def test_the_timeline_explains_the_routing_in_the_readers_language(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    client = console_client(handler)
    chinese = text_of(client.get(page_url(letter)))
    assert "转办或交办" in chinese and "属于广州市公安局天河区分局管辖" in chinese
    english = text_of(client.get(page_url(letter), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Tianhe" in english and "管辖" not in english


def test_internal_notes_and_messages_with_the_citizen_are_shown_apart(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    s.message_post(letter=letter, actor=citizen, kind=Message.Kind.FROM_CITIZEN, text="请尽快处理")
    s.message_post(letter=letter, actor=handler, kind=Message.Kind.TO_CITIZEN, text="已收到，正在调查")
    s.message_post(letter=letter, actor=handler, kind=Message.Kind.INTERNAL_NOTE, text="该所所长已约谈")
    html = console_client(handler).get(page_url(letter)).content.decode()
    assert "请尽快处理" in html and "已收到，正在调查" in html and "该所所长已约谈" in html
    note = html[html.index("message-internal_note") : html.index("该所所长已约谈")]
    assert "内部" in note
    assert html.count("message-from_citizen") == 1


def test_opening_the_page_marks_the_citizens_messages_read_for_the_handling_unit_only(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    inspector: User,
) -> None:  # fmt: skip
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    message = s.message_post(letter=letter, actor=citizen, kind=Message.Kind.FROM_CITIZEN, text="请尽快处理")
    console_client(inspector).get(page_url(letter))
    message.refresh_from_db()
    assert message.read_at is None
    console_client(handler).get(page_url(letter))
    message.refresh_from_db()
    assert message.read_at is not None


def test_an_outsider_gets_404_and_so_does_a_made_up_id(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, outsider: User,
    handler: User,
) -> None:  # fmt: skip
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    assert console_client(outsider).get(page_url(letter)).status_code == 404
    assert console_client(handler).get("/console/letters/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_staff_of_the_accused_unit_are_recused_and_get_404(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, guangzhou: Unit, tianhe: Unit,
    handler: User, leader: User, inspector: User,
) -> None:  # fmt: skip
    """A report against Tianhe is handled above it, by Guangzhou's inspection; nobody at Tianhe may open it."""
    gz_inspection = department_for(guangzhou, PoliceType.INSPECTION)
    letter = assigned_letter(
        citizen, gd_mailbox, acceptor, gz_inspection, reason="反映天河分局，由上级督察办理", accused_unit=tianhe
    )
    for recused in (handler, leader):
        client = console_client(recused)
        assert client.get(page_url(letter)).status_code == 404
        assert client.post(f"{page_url(letter)}do/note/", {"note-text": "x"}).status_code == 404
    page = text_of(console_client(inspector).get(page_url(letter)))
    assert "张*" in page and "张三" not in page


def test_a_letter_waiting_at_the_front_desk_sends_its_acceptor_to_the_desk_page(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, handler: User
) -> None:
    letter = submit(citizen, gd_mailbox).letter
    response = console_client(acceptor).get(page_url(letter))
    assert response.status_code == 200
    assert "已接收，待受理" in text_of(response)
    assert f'href="/console/desk/{letter.public_id}/"' in response.content.decode()


def test_a_letter_already_with_the_handling_unit_has_no_desk_link(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    for user in (acceptor, handler):
        assert f"/console/desk/{letter.public_id}/" not in console_client(user).get(page_url(letter)).content.decode()


def test_a_citizen_cannot_open_the_staff_letter_page(client: Client, citizen: User, gd_mailbox: Mailbox) -> None:
    letter = submit(citizen, gd_mailbox).letter
    client.force_login(citizen)
    assert client.get(page_url(letter)).status_code == 403
