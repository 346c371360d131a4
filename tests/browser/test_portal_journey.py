"""The citizen's whole journey in real Chromium, on a desktop and on a 360 px phone.

Sign up with an SMS code → write a letter from the WeChat menu → see the tracking number and
query code → (staff accept, transfer, handle and reply through the services) → read the reply,
rate it "dissatisfied" and ask for a review. Screenshots of every page go to test-output/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot
from tests.conftest import make_staff
from tests.letters.conftest import decide_accused
from xinfang.accounts.models import Role
from xinfang.letters import services as s
from xinfang.letters.models import Letter, LetterState, Rating
from xinfang.notifications import sms
from xinfang.orgs.models import Unit
from xinfang.routing.engine import propose_for_letter


@pytest.fixture(autouse=True)
def clean_slate() -> Iterator[None]:
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def last_code() -> str:
    match = re.search(r"\d{6}", sms.outbox[-1].text)
    assert match is not None
    return match.group(0)


def staff_replies(letter: Letter) -> None:
    """What the front desk, the Tianhe handler and leader do in the console, done through the services."""
    acceptor = make_staff("gd-acceptor", Unit.objects.get(code="440000"), Role.ACCEPTOR)
    tianhe = Unit.objects.get(code="440106")
    handler = make_staff("tianhe-handler", tianhe, Role.HANDLER)
    leader = make_staff("tianhe-leader", tianhe, Role.LEADER)
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=propose_for_letter(letter).unit)  # Tianhe's household team
    s.letter_start_handling(letter=letter, actor=handler)
    s.letter_draft_reply(letter=letter, actor=handler, text="经调查，派出所已为您办结户籍迁移，并就拖延向您致歉。")
    s.letter_approve_reply(letter=letter, actor=leader)


@pytest.mark.parametrize("device", ["page_desktop", "page_phone"])
def test_sign_up_write_follow_rate_and_ask_for_review(
    device: str, request: pytest.FixtureRequest, live_server: LiveServer, tree: None, shot: Shot
) -> None:
    page: Page = request.getfixturevalue(device)
    base = live_server.url

    # 1. Real-name sign-up with an SMS code.
    page.goto(f"{base}/account/sign-up/")
    page.get_by_label("真实姓名").fill("李四")
    page.get_by_label("身份证号码").fill("440106199001011235")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_role("button", name="获取短信验证码").click()
    expect(page.locator("#code-status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(last_code())
    page.get_by_label("设置密码").fill("a-long-enough-passphrase")
    page.get_by_label("再次输入密码").fill("a-long-enough-passphrase")
    no_sideways_scroll(page)
    shot(page, "01-sign-up")
    page.get_by_role("button", name="注册", exact=True).click()
    expect(page.get_by_role("heading", name="我的信件")).to_be_visible()

    # 2. The Guangdong mailbox, opened from the WeChat menu; then the letter.
    page.goto(f"{base}/m/gd/?ch=wechat")
    no_sideways_scroll(page)
    shot(page, "02-mailbox")
    page.get_by_role("link", name="我要写信").click()
    page.get_by_label("投诉", exact=True).check()
    page.get_by_label("涉及警种").select_option("household")
    page.get_by_label("市（地区、州）或区县").select_option("440100")
    county = page.get_by_label("县（市、区）")
    expect(county).to_be_visible()
    county.select_option("440106")
    page.get_by_label("详细地址", exact=True).fill("天河路 1 号")
    page.get_by_label(re.compile(r"^标题")).fill("派出所办理户籍迁移拖延")
    page.get_by_label(re.compile(r"^来信内容")).fill("我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。")
    no_sideways_scroll(page)
    shot(page, "03-write")
    page.get_by_role("button", name="提交来信").click()

    # 3. The receipt: tracking number and query code, once.
    expect(page.get_by_role("heading", name="来信已提交")).to_be_visible()
    tracking = page.get_by_test_id("tracking-number").inner_text()
    expect(page.get_by_test_id("query-code")).to_have_text(re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$"))
    no_sideways_scroll(page)
    shot(page, "04-receipt")
    letter = Letter.objects.get(tracking_number=tracking)
    assert letter.channel == "wechat" and letter.division_code == "440106"

    # 4. Staff answer; the citizen reads the reply, rates it and asks for a review.
    staff_replies(letter)
    page.get_by_role("link", name="查看这封信").click()
    expect(page.get_by_test_id("state")).to_have_text("已答复")
    expect(page.get_by_text("经调查，派出所已为您办结户籍迁移")).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "05-reply")
    page.get_by_label("不满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价。")).to_be_visible()
    page.get_by_label("申请复查的理由").fill("答复说已办结，但我至今没有拿到新户口本。")
    shot(page, "06-review-request")
    page.get_by_role("button", name="申请复查").click()
    expect(page.get_by_test_id("state")).to_have_text("复查中")
    no_sideways_scroll(page)
    shot(page, "07-review-requested")
    letter.refresh_from_db()
    assert letter.rating == Rating.DISSATISFIED and letter.state == LetterState.REVIEW_REQUESTED
