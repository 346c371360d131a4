"""Issue 6's staff journey in real Chromium, one letter from the telephone seat to the citizen's reply.

A seat agent registers a call → the front desk accepts it and transfers it to the Tianhe branch →
the Tianhe handler messages the citizen and asks for an extension → the Tianhe leader approves it →
the handler drafts the reply and the leader approves it → the citizen reads both in the portal;
then the Guangzhou inspector finds a letter left overdue at Tianhe and issues a supervision order.
Every step is done on the real pages by clicking and typing; screenshots of each page go to
test-output/screenshots/<test name>/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn
from tests.conftest import PASSWORD
from tests.factories import CITIZEN_PHONE, assigned_letter, at
from xinfang.accounts.models import User
from xinfang.letters.models import Letter, LetterState, SupervisionOrder
from xinfang.letters.sweeps import sweep_deadlines
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.usefixtures("phone_mailbox")

SUBJECT = "派出所办理居住证一再拖延"
MESSAGE = "您好，请通过本平台上传租房合同，以便我们核实。"
EXTENSION_REASON = "需向房屋出租人和社区核实居住情况，30 日内难以办结。"
REPLY = "经核实，派出所已为您办理居住证，并对拖延向您致歉。"
ORDER = "请于五日内办结并报告督察支队。"


@pytest.fixture(autouse=True)
def no_sign_in_throttle() -> None:
    """The citizen's sign-in must not meet a rate limit left in the cache by another test in this process."""
    cache.clear()


@pytest.fixture
def overdue_letter(transactional_db: None, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit) -> Letter:
    """A letter transferred to Tianhe 70 days ago and never taken up, marked overdue by the sweep."""
    with at(timezone.localdate() - dt.timedelta(days=70)):
        letter = assigned_letter(
            citizen, gd_mailbox, acceptor, tianhe, subject="户籍证明久拖不办", text="申请户籍证明两个月无人处理。"
        )
    sweep_deadlines()
    letter.refresh_from_db()
    assert letter.current_due is not None and letter.current_due < timezone.localdate() and letter.supervision_flag
    return letter


def test_a_call_becomes_a_letter_answered_in_the_portal_and_an_overdue_letter_is_supervised(
    signed_in_page: SignedIn, page_desktop: Page, live_server: LiveServer, seat_agent: User, acceptor: User,
    handler: User, leader: User, inspector: User, tianhe: Unit, overdue_letter: Letter, shot: Shot,
) -> None:  # fmt: skip
    base = live_server.url
    letter = seat_registers_the_call(signed_in_page(seat_agent), base, overdue_letter, shot)
    front_desk_accepts_and_transfers(signed_in_page(acceptor), base, letter, tianhe, shot)
    handler_page = signed_in_page(handler)
    leader_page = signed_in_page(leader)
    handler_messages_and_asks_for_an_extension(handler_page, base, letter, shot)
    leader_approves(
        leader_page, base, letter, shows=EXTENSION_REASON, button="批准延期", done="已批准延期，已告知信访人。",
        shot=shot, name="08-leader-approvals-extension",
    )  # fmt: skip
    handler_drafts_the_reply(handler_page, letter, shot)
    leader_approves(
        leader_page, base, letter, shows=REPLY, button="批准答复", done="答复已批准并发送给信访人。",
        shot=shot, name="10-leader-approvals-reply",
    )  # fmt: skip
    letter.refresh_from_db()
    assert letter.state == LetterState.REPLIED and letter.extension_days == 15
    citizen_reads_the_reply(page_desktop, base, shot)
    inspector_supervises(signed_in_page(inspector), base, overdue_letter, tianhe, shot)


def seat_registers_the_call(page: Page, base: str, earlier: Letter, shot: Shot) -> Letter:
    """1. The 12389 seat takes a call from a citizen with an account, about a place in Tianhe."""
    page.goto(f"{base}/console/call")
    expect(page.get_by_role("heading", level=1)).to_have_text("来电登记")
    page.get_by_label("来电号码").fill(CITIZEN_PHONE)  # posted, never in the URL
    page.get_by_label("来电号码").press("Enter")
    expect(page.get_by_role("link", name=earlier.tracking_number)).to_be_visible()
    page.get_by_label("已与来电人逐项核对姓名、身份证号码和手机号码").check()
    page.get_by_label("类型", exact=True).select_option("complaint")
    page.get_by_label("事发地").press_sequentially("天河")
    expect(page.locator("#place-options option").first).to_have_attribute("value", "440106 天河区")
    page.get_by_label("事发地").fill("440106 天河区")
    page.get_by_label("详细地址").fill("天河区林和西路 9 号")
    page.get_by_label("标题", exact=True).fill(SUBJECT)
    page.get_by_label("来电内容").fill("三个月前在天河区某派出所申请居住证，民警一直说在审核，至今未办。")
    shot(page, "01-seat-call-form")
    page.get_by_role("button", name="登记来电").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("来电已登记")
    letter = Letter.objects.get(subject=SUBJECT)
    expect(page.get_by_test_id("tracking-number")).to_have_text(letter.tracking_number)
    expect(page.get_by_text("已通过短信发送到 138****8000。")).to_be_visible()
    shot(page, "02-seat-call-registered")
    assert letter.state == LetterState.RECEIVED and letter.division_code == "440106"
    return letter


def front_desk_accepts_and_transfers(page: Page, base: str, letter: Letter, tianhe: Unit, shot: Shot) -> None:
    """2. The Guangdong front desk accepts the letter, then transfers it as the routing proposal says."""
    page.goto(f"{base}/console/")
    page.get_by_role("navigation").get_by_role("link", name="受理台").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("受理台")
    expect(page.locator("table.queue tbody tr", has_text=letter.tracking_number)).to_contain_text(tianhe.display_name)
    shot(page, "03-front-desk-queue")
    page.get_by_role("link", name=letter.tracking_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(page.locator(".proposed-unit")).to_have_text(tianhe.display_name)
    shot(page, "04-front-desk-letter")
    page.get_by_role("button", name="仅受理（稍后分办）").click()
    expect(page.get_by_text(f"{letter.tracking_number}：已受理。请转办或交办。")).to_be_visible()
    expect(page.locator("dd.state")).to_have_text("已受理")
    shot(page, "05-front-desk-accepted")
    # A complaint waits for the desk's decision on whom it accuses: this one is about the progress of an application.
    expect(page.get_by_role("button", name=f"转办至{tianhe.display_name}")).to_have_count(0)
    page.get_by_label("不涉及公安机关或民警").check()
    page.get_by_label("理由", exact=True).fill("反映办证进度，不针对具体单位或民警，由属地办理")
    page.get_by_role("button", name="确认认定").click()
    expect(page.get_by_text(f"{letter.tracking_number}：已认定：不涉及公安机关。请转办或交办。")).to_be_visible()
    page.get_by_role("button", name=f"转办至{tianhe.display_name}").click()
    expect(page.get_by_text(f"{letter.tracking_number}：已转至{tianhe.display_name}。")).to_be_visible()
    letter.refresh_from_db()
    assert (letter.state, letter.handling_unit) == (LetterState.ASSIGNED, tianhe)


def handler_messages_and_asks_for_an_extension(page: Page, base: str, letter: Letter, shot: Shot) -> None:
    """3. The Tianhe handler takes the letter up, writes to the citizen and asks for 15 more days."""
    page.goto(f"{base}/console/")
    page.get_by_role("navigation").get_by_role("link", name="办理工作台").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("办理工作台")
    rows = page.locator("table.letters tbody tr")
    expect(rows.first).to_contain_text("逾期")  # the letter the inspector will find comes first
    expect(rows.filter(has_text=letter.tracking_number)).to_contain_text("已转办")
    shot(page, "06-handler-workspace")
    page.get_by_role("link", name=letter.tracking_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    page.get_by_role("button", name="开始办理").click()
    expect(page.get_by_text("已开始办理。")).to_be_visible()
    page.get_by_label("给信访人的留言").fill(MESSAGE)
    page.get_by_role("button", name="发送给信访人").click()
    expect(page.get_by_text("留言已发送给信访人。")).to_be_visible()
    expect(page.locator("ol.messages")).to_contain_text(MESSAGE)
    page.locator("details.action summary", has_text="申请延期").click()
    page.get_by_label("延长天数").fill("15")
    page.get_by_label("延期理由").fill(EXTENSION_REASON)
    page.get_by_role("button", name="申请延期").click()
    expect(page.get_by_text("延期申请已提交领导审批。")).to_be_visible()
    expect(page.locator("p.extension")).to_contain_text("延期申请 15 天（待审批）")
    shot(page, "07-handler-letter-extension-asked")


def leader_approves(
    page: Page, base: str, letter: Letter, *, shows: str, button: str, done: str, shot: Shot, name: str
) -> None:
    """4 and 5. The Tianhe leader finds what waits (``shows``) in the approvals inbox and approves it."""
    page.goto(f"{base}/console/")
    page.get_by_role("navigation").get_by_role("link", name="待我审批").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待我审批")
    item = page.locator("article.approval", has_text=letter.tracking_number)
    expect(item).to_contain_text(shows)
    shot(page, name)
    item.get_by_role("button", name=button).click()
    expect(page.get_by_text(done)).to_be_visible()
    expect(page.get_by_text("没有待审批的事项。")).to_be_visible()


def handler_drafts_the_reply(page: Page, letter: Letter, shot: Shot) -> None:
    """5. Back on the letter page (reloaded), the handler sees the approved extension and drafts the reply."""
    page.reload()
    expect(page.locator("p.extension")).to_contain_text("延期申请 15 天（已批准）")
    page.get_by_label("答复意见").fill(REPLY)
    page.get_by_role("button", name="拟写答复").click()
    expect(page.get_by_text("答复稿已提交领导审批。")).to_be_visible()
    expect(page.get_by_role("heading", name="答复稿（待审批）")).to_be_visible()
    shot(page, "09-handler-reply-drafted")
    letter.refresh_from_db()
    assert letter.state == LetterState.REPLY_DRAFTED


def citizen_reads_the_reply(page: Page, base: str, shot: Shot) -> None:
    """6. The citizen signs in to the portal with phone and password and opens the letter."""
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("手机号码").fill(CITIZEN_PHONE)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="我的信件")).to_be_visible()
    page.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(page.get_by_test_id("state")).to_have_text("已答复")
    expect(page.locator("#reply")).to_contain_text(REPLY)
    expect(page.locator("#conversation")).to_contain_text(MESSAGE)
    expect(page.locator("#conversation")).to_contain_text("承办单位")
    expect(page.get_by_text(EXTENSION_REASON)).to_be_visible()  # told why the answer took longer
    shot(page, "11-portal-letter-replied")


def inspector_supervises(page: Page, base: str, overdue: Letter, tianhe: Unit, shot: Shot) -> None:
    """7. The Guangzhou inspector follows Tianhe's overdue count to the letter and issues an order."""
    page.goto(f"{base}/console/")
    page.get_by_role("navigation").get_by_role("link", name="督察督办").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("督察督办")
    row = page.locator("table.units tbody tr", has_text=tianhe.display_name)
    expect(row).to_be_visible()
    shot(page, "12-inspector-overview")
    row.get_by_role("link", name="1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tianhe.display_name)
    listed = page.locator("table.letters tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("逾期")
    expect(listed).to_contain_text("自动督办")
    shot(page, "13-inspector-overdue-letters")
    page.get_by_role("link", name=overdue.tracking_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(overdue.subject)
    due = timezone.localdate() + dt.timedelta(days=5)
    page.get_by_label("督办要求").fill(ORDER)
    page.get_by_label("督办期限").fill(due.isoformat())
    page.get_by_role("button", name="下达督办").click()
    expect(page.get_by_text("督办已下达。")).to_be_visible()
    order = page.locator("section.orders .item", has_text=ORDER)
    expect(order).to_contain_text(f"督办期限 {due.isoformat()}")
    shot(page, "14-inspector-order-issued")
    issued = SupervisionOrder.objects.get(letter=overdue, automatic=False)
    assert (issued.text, issued.due) == (ORDER, due)
