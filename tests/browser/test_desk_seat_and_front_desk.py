"""The telephone seat and the front desk in real Chromium, with screenshots.

Staff sign in with two factors; here the session is made the way ``tests/console/conftest.py``
makes it and handed to the browser as its session cookie.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn
from tests.factories import receive
from xinfang.accounts.models import User
from xinfang.console.selectors_desk import refusal_notice
from xinfang.letters.models import Letter, LetterState
from xinfang.notifications import sms
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel


@pytest.fixture
def calls_open(transactional_db: None, tree: None, gd_mailbox: Mailbox) -> Mailbox:
    gd_mailbox.channels = [*gd_mailbox.channels, Channel.TELEPHONE]
    gd_mailbox.allows_anonymous_phone = True
    gd_mailbox.save()
    sms.outbox.clear()
    return gd_mailbox


def test_a_seat_registers_a_call_by_keyboard_and_is_warned_of_an_emergency(
    signed_in_page: SignedIn, live_server: LiveServer, seat_agent: User, citizen: User, calls_open: Mailbox, shot: Shot
) -> None:
    earlier = receive(citizen, calls_open, subject="上次反映的户口问题")
    page = signed_in_page(seat_agent, "zh-CN")
    page.goto(live_server.url + "/console/call")
    expect(page.get_by_role("heading", level=1)).to_have_text("来电登记")
    expect(page.get_by_label("来电号码")).to_be_focused()  # keyboard first: type the number, press Enter
    page.keyboard.type("13800138000")
    page.keyboard.press("Enter")
    assert "13800138000" not in page.url
    expect(page.get_by_role("link", name=earlier.tracking_number)).to_be_visible()
    expect(page.locator(".caller-panel").get_by_text("张*", exact=True)).to_be_visible()
    expect(page.get_by_text("张三")).to_have_count(0)
    expect(page.get_by_label("姓名", exact=True)).to_be_hidden()  # only a new caller's fields ask for a name

    page.get_by_label("已与来电人逐项核对姓名、身份证号码和手机号码").check()
    page.get_by_label("类型", exact=True).select_option("complaint")
    page.get_by_label("事发地").press_sequentially("天河")
    expect(page.locator("#place-options option").first).to_have_attribute("value", "440106 天河区")
    page.get_by_label("事发地").fill("440106 天河区")
    page.get_by_label("警种").fill("治安")
    page.get_by_label("标题", exact=True).fill("楼下有人打架")
    page.get_by_label("来电内容").press_sequentially("楼下正在打人，已经打了十分钟。")
    expect(page.locator("#emergency-box")).to_be_visible()
    expect(page.locator("#emergency-box [data-signals]")).to_contain_text("正在打")
    page.get_by_label("已提醒来电人：如情况紧急请立即拨打 110。确认继续登记。").check()
    shot(page, "seat-call-form")

    page.get_by_label("来电内容").press("Control+Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("来电已登记")
    letter = Letter.objects.get(subject="楼下有人打架")
    expect(page.get_by_test_id("tracking-number")).to_have_text(letter.tracking_number)
    expect(page.get_by_test_id("query-code")).to_be_visible()
    expect(page.get_by_text("已通过短信发送到 138****8000。")).to_be_visible()
    shot(page, "seat-call-registered")
    assert letter.channel == Channel.TELEPHONE and letter.citizen == citizen


def test_the_front_desk_sees_the_proposal_with_its_explanation_and_transfers_in_one_click(
    signed_in_page: SignedIn, live_server: LiveServer, acceptor: User, citizen: User, calls_open: Mailbox, tianhe: Unit,
    shot: Shot,
) -> None:  # fmt: skip
    letter = receive(citizen, calls_open, subject="户口迁移咨询")
    page = signed_in_page(acceptor, "zh-CN")
    page.goto(live_server.url + "/console/desk/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("受理台")
    row = page.locator("table.queue tbody tr").first
    expect(row).to_contain_text("张*")
    expect(row).to_contain_text("广州市公安局天河区分局")
    shot(page, "front-desk-queue")

    page.get_by_role("link", name=letter.tracking_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("户口迁移咨询")
    explanation = page.locator("ol.explanation li")
    expect(explanation.filter(has_text="属于广州市公安局天河区分局管辖")).to_be_visible()
    expect(page.get_by_text("张三")).to_have_count(0)

    page.get_by_text("不予受理", exact=True).click()
    page.get_by_label("不予受理理由").select_option("not_police")
    expect(page.get_by_label("书面告知")).to_have_value(refusal_notice(letter, "not_police"))
    page.get_by_text("不予受理", exact=True).click()  # close it again: this letter is for Tianhe
    shot(page, "front-desk-letter")

    page.get_by_role("button", name="受理并转办至广州市公安局天河区分局").click()
    expect(page.get_by_text(f"{letter.tracking_number}：已转至广州市公安局天河区分局。")).to_be_visible()
    letter.refresh_from_db()
    assert (letter.state, letter.handling_unit) == (LetterState.ASSIGNED, tianhe)


@pytest.mark.parametrize("locale", ["en-US"])
def test_the_front_desk_letter_page_in_english(
    signed_in_page: SignedIn, live_server: LiveServer, acceptor: User, citizen: User, calls_open: Mailbox, shot: Shot,
    locale: str,
) -> None:  # fmt: skip
    letter = receive(citizen, calls_open)
    page = signed_in_page(acceptor, locale)
    page.goto(live_server.url + f"/console/desk/{letter.public_id}/")
    expect(page.get_by_role("heading", name="Proposed unit")).to_be_visible()
    expect(
        page.get_by_role(
            "button", name="Accept and transfer to Tianhe District Branch, Guangzhou City Public Security Bureau"
        )
    ).to_be_visible()
    shot(page, "front-desk-letter-en")
