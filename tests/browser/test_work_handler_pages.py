"""The handler's workspace and the letter page in real Chromium, with screenshots.

Staff sign in with two factors; here the session is made the way ``tests/console/conftest.py``
makes it and handed to the browser as its session cookie.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn
from tests.factories import assigned_letter, at, handled_letter
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import Letter, LetterState, Message
from xinfang.orgs.models import Mailbox, Unit


@pytest.fixture
def workload(
    transactional_db: None, tree: None, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit,
    handler: User, leader: User,
) -> Letter:  # fmt: skip
    """An overdue letter, one due soon and one on time at Tianhe; returns the one the handler works on."""
    today = timezone.localdate()
    with at(today - dt.timedelta(days=75)):
        handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler, subject="户籍迁移久拖不办")
    with at(today - dt.timedelta(days=58)):
        assigned_letter(citizen, gd_mailbox, acceptor, tianhe, subject="交通违法处理不当")
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler, subject="派出所民警态度恶劣")
    s.message_post(letter=letter, actor=citizen, kind=Message.Kind.FROM_CITIZEN, text="我还有录音可以提供。")
    s.message_post(letter=letter, actor=handler, kind=Message.Kind.INTERNAL_NOTE, text="已约谈所长，待核实录音。")
    s.instruction_create(letter=letter, actor=leader, text="请认真核实，一周内报告。")
    return letter


def test_the_handler_finds_the_letter_by_due_date_and_works_it_on_its_page(
    signed_in_page: SignedIn, live_server: LiveServer, handler: User, workload: Letter, shot: Shot
) -> None:
    page = signed_in_page(handler)
    page.goto(live_server.url + "/console/work/")
    expect(page.get_by_role("heading", level=1)).to_have_text("办理工作台")
    rows = page.locator("table.letters tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("逾期")
    expect(rows.nth(1)).to_contain_text("临期")
    expect(rows.nth(2)).to_contain_text("正常")
    shot(page, "handler-workspace")

    page.get_by_role("link", name=workload.tracking_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("派出所民警态度恶劣")
    expect(page.get_by_text("请认真核实，一周内报告。")).to_be_visible()
    expect(page.get_by_text("张*")).to_be_visible()
    expect(page.get_by_text("张三")).to_have_count(0)
    shot(page, "letter-page")

    page.get_by_label("给信访人的留言").fill("您好，请通过本平台上传录音。")
    page.get_by_role("button", name="发送给信访人").click()
    expect(page.get_by_text("留言已发送给信访人。")).to_be_visible()
    expect(page.locator("details.action").first).to_have_attribute("open", "")  # the first action is open
    page.get_by_label("答复意见").fill("经调查核实，已对涉事民警批评教育。")
    page.get_by_role("button", name="拟写答复").click()
    expect(page.get_by_text("答复稿已提交领导审批。")).to_be_visible()
    workload.refresh_from_db()
    assert workload.state == LetterState.REPLY_DRAFTED
    shot(page, "letter-page-after-draft")


def test_the_loser_of_a_race_sees_why_and_keeps_the_draft(
    signed_in_page: SignedIn, live_server: LiveServer, handler: User, workload: Letter, shot: Shot
) -> None:
    page = signed_in_page(handler)
    page.goto(f"{live_server.url}/console/letters/{workload.public_id}/")
    page.get_by_label("答复意见").fill("我花了一个小时写的答复稿")
    s.letter_request_extension(letter=workload, actor=handler, days=10, reason="另一窗口里申请了延期")
    page.get_by_role("button", name="拟写答复").click()
    expect(page.get_by_role("alert").first).to_contain_text("这封信已被其他人处理")
    expect(page.locator(".work-conflict textarea")).to_have_value("我花了一个小时写的答复稿")
    shot(page, "letter-page-conflict")


@pytest.mark.parametrize("locale", ["en-US"])
def test_the_letter_page_speaks_english(
    signed_in_page: SignedIn, live_server: LiveServer, handler: User, workload: Letter, shot: Shot, locale: str
) -> None:
    page = signed_in_page(handler, locale)
    page.goto(f"{live_server.url}/console/letters/{workload.public_id}/")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.get_by_role("button", name="Send to the writer")).to_be_visible()
    shot(page, "letter-page-en")
