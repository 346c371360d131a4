"""Issue 18 §1 in real Chromium: a letter published with its writer's consent, then taken down.

The walk runs twice, on a 1280 px desktop in Chinese and on a 360 px touch phone in English, every
page of it (the citizen's, the publisher's, the leader's and the public's) at that width and in that
language: the citizen writes a suggestion and ticks the consent box → the letter is replied (set up
through the services) → the Tianhe publisher finds it among the candidates, opens the redaction
preview (the writer's name and phone masked), edits the title and sends it for approval → the
Tianhe leader approves it → the public list shows it, a search without spaces finds it, the detail
shows the reply and the replying unit → the publisher takes it down and the public page is gone.
The writer of a second letter withdraws consent on the letter page.
Screenshots go to test-output/screenshots/<test name>/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot
from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import AssignmentMode, Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType

SUBJECT = "建议户籍窗口周末开放"
TEXT = "我是张三，电话13800138000。上班族工作日没空，建议天河区户籍窗口周末也开放办理业务。"
REPLY = "经研究，自下月起天河区户籍窗口每周六上午开放办理。"
TITLE = "关于户籍窗口周末开放的建议"


@dataclass(frozen=True)
class Walk:
    """One run of the walk: a viewport, a browser language and what the pages say in it."""

    width: int
    height: int
    locale: str
    words: dict[str, str]

    @property
    def phone(self) -> bool:
        return self.width < 600


ZH = {
    "suggestion": "意见建议",
    "city": "市（地区、州）或区县",
    "county": "县（市、区）",
    "subject": "^标题",
    "text": "^来信内容",
    "consent": "同意在隐去姓名",
    "send letter": "提交来信",
    "candidates": "信件公开",
    "propose": "拟定公开稿",
    "public text": "公开的来信内容",
    "public title": "公开标题",
    "save": "保存公开稿",
    "saved": "公开稿已保存。",
    "submit": "送领导审批",
    "submitted": "待领导审批",
    "approvals": "公开审批",
    "approve": "批准公开",
    "published": "已公开",
    "list": "公开信件",
    "search": "搜索公开信件",
    "search button": "搜索",
    "one found": "共 1 封",
    "replying unit": "答复单位",
    "reason": "理由",
    "take down": "撤下",
    "taken down": "已撤下",
    "withdraw": "撤回公开同意",
    "withdrawn": "已撤回公开同意，这封信不会公开。",
    "no consent": "您没有同意公开",
}
EN = {
    "suggestion": "Opinion or suggestion",
    "city": "City (prefecture) or district",
    "county": "County (city, district)",
    "subject": "^Subject",
    "text": "^Your letter",
    "consent": "I agree that this letter",
    "send letter": "Submit letter",
    "candidates": "Public release",
    "propose": "Draft a publication",
    "public text": "Published text of the letter",
    "public title": "Published title",
    "save": "Save draft",
    "saved": "The draft was saved.",
    "submit": "Send for a leader's approval",
    "submitted": "Awaiting a leader's approval",
    "approvals": "Publication approvals",
    "approve": "Approve and publish",
    "published": "Published",
    "list": "Published letters",
    "search": "Search published letters",
    "search button": "Search",
    "one found": "1 letter",
    "replying unit": "Replying unit",
    "reason": "Reason",
    "take down": "Take down",
    "taken down": "Taken down",
    "withdraw": "Withdraw consent to publication",
    "withdrawn": "Consent withdrawn: this letter will not be published.",
    "no consent": "You did not consent",
}
WALKS = {
    "desktop-zh": Walk(1280, 800, "zh-CN", ZH),
    "phone-en": Walk(360, 740, "en-US", EN),
}


def reply_to(letter: Letter, acceptor: User, tianhe: Unit, handler: User, leader: User) -> None:
    """The front desk transfers the letter to Tianhe, which handles it and replies with the leader's approval."""
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe, mode=AssignmentMode.TRANSFER, reason="")
    s.letter_start_handling(letter=letter, actor=handler)
    s.letter_draft_reply(letter=letter, actor=handler, text=REPLY)
    s.letter_approve_reply(letter=letter, actor=leader)


class Browsers:
    """Pages of several people at the walk's width and language; staff hold a two-factor session."""

    def __init__(self, browser: Browser, live_server: LiveServer, walk: Walk) -> None:
        self.browser, self.live_server, self.walk = browser, live_server, walk
        self.contexts: list[BrowserContext] = []

    def page_of(self, user: User | None, *, staff: bool = False) -> Page:
        context = self.browser.new_context(
            viewport={"width": self.walk.width, "height": self.walk.height},
            is_mobile=self.walk.phone,
            has_touch=self.walk.phone,
            locale=self.walk.locale,
        )
        self.contexts.append(context)
        if user is not None:
            client = sign_in(Client(), user) if staff else Client()
            if not staff:
                client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.live_server.url}])
        return context.new_page()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(params=list(WALKS))
def walk(request: pytest.FixtureRequest) -> Walk:
    return WALKS[request.param]


@pytest.fixture
def browsers(browser: Browser, live_server: LiveServer, transactional_db: None, walk: Walk) -> Iterator[Browsers]:
    people = Browsers(browser, live_server, walk)
    yield people
    people.close()


def fits(page: Page) -> None:
    """Nothing runs off the side of the screen (no sideways scrolling at 360 px)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def press(walk: Walk, control: Locator) -> None:
    """A tap on the phone (no hover there), a click on the desktop."""
    if walk.phone:
        control.tap()
    else:
        control.click()


def test_a_consented_letter_is_redacted_approved_found_and_taken_down(
    browsers: Browsers, walk: Walk, live_server: LiveServer, citizen: User, gd_mailbox: Mailbox,
    acceptor: User, tianhe: Unit, handler: User, leader: User, shot: Shot,
) -> None:  # fmt: skip
    base, w = live_server.url, walk.words
    publisher = make_staff("publisher", tianhe, Role.PUBLISHER)

    # 1. The writer consents at submission.
    page = browsers.page_of(citizen)
    page.goto(f"{base}/m/gd/write/")
    page.get_by_label(w["suggestion"], exact=True).check()
    page.get_by_label(w["city"]).select_option("440100")
    county = page.get_by_label(w["county"])
    expect(county).to_be_visible()
    county.select_option("440106")
    page.get_by_label(re.compile(w["subject"])).fill(SUBJECT)
    page.get_by_label(re.compile(w["text"])).fill(TEXT)
    consent = page.get_by_label(re.compile(w["consent"]))
    expect(consent).not_to_be_checked()  # off unless the writer ticks it
    consent.check()
    fits(page)
    shot(page, "01-write-with-consent")
    press(walk, page.get_by_role("button", name=w["send letter"]))
    tracking = page.get_by_test_id("tracking-number").inner_text()
    letter = Letter.objects.get(tracking_number=tracking)
    assert letter.consent_to_publish

    # 2. The letter is replied.
    reply_to(letter, acceptor, tianhe, handler, leader)

    # 3. The publisher lands on the candidates and opens the redaction preview.
    console = browsers.page_of(publisher, staff=True)
    console.goto(f"{base}/console/")
    expect(console.get_by_role("heading", level=1)).to_have_text(w["candidates"])
    row = console.locator(f'tr[data-letter="{tracking}"]')
    expect(row).to_be_visible()
    fits(console)
    shot(console, "02-publisher-candidates")
    press(walk, row.get_by_role("button", name=w["propose"]))
    text_box = console.get_by_label(w["public text"])
    expect(text_box).to_have_value(re.compile(r"\[已隐去\]"))
    assert "张三" not in text_box.input_value() and "13800138000" not in text_box.input_value()
    fits(console)
    shot(console, "03-redaction-preview")
    console.get_by_label(w["public title"]).fill(TITLE)
    press(walk, console.get_by_role("button", name=w["save"]))
    expect(console.get_by_text(w["saved"])).to_be_visible()
    press(walk, console.get_by_role("button", name=w["submit"]))
    expect(console.get_by_test_id("publication-state")).to_have_text(w["submitted"])

    # 4. The leader approves.
    approver = browsers.page_of(leader, staff=True)
    approver.goto(f"{base}/console/publication/approvals/")
    expect(approver.get_by_role("heading", level=1)).to_have_text(w["approvals"])
    fits(approver)
    shot(approver, "04-leader-approvals")
    press(walk, approver.get_by_role("link", name=TITLE))
    press(walk, approver.get_by_role("button", name=w["approve"]))
    expect(approver.get_by_test_id("publication-state")).to_have_text(w["published"])
    fits(approver)
    shot(approver, "05-leader-approved")

    # 5. The public reads it, and finds it by a search without spaces.
    page.goto(f"{base}/m/gd/published/")
    expect(page.get_by_role("heading", level=1)).to_have_text(w["list"])
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.get_by_label(w["search"]).fill("周末开放")
    press(walk, page.get_by_role("button", name=w["search button"], exact=True))
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.get_by_test_id("published-total")).to_have_text(w["one found"])
    fits(page)
    shot(page, "06-public-search")
    press(walk, page.get_by_role("link", name=TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text(REPLY)).to_be_visible()
    expect(page.get_by_text(w["replying unit"], exact=True)).to_be_visible()
    expect(page.get_by_test_id("replying-unit")).to_have_text(tianhe.name_en if walk.locale == "en-US" else tianhe.name)
    expect(page.get_by_text("13800138000")).to_have_count(0)
    fits(page)
    shot(page, "07-public-detail")
    public_url = page.url

    # 6. The publisher takes it down; the public page is gone.
    console.reload()
    console.get_by_label(w["reason"]).fill("信访人来电要求撤下")
    press(walk, console.get_by_role("button", name=w["take down"], exact=True))
    expect(console.get_by_test_id("publication-state")).to_have_text(w["taken down"])
    fits(console)
    shot(console, "08-taken-down")
    assert page.goto(public_url).status == 404  # type: ignore[union-attr]
    page.goto(f"{base}/m/gd/published/")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)

    # 7. The writer of another consented letter withdraws consent on the letter page.
    kept = submit(citizen, gd_mailbox, letter_type=LetterType.SUGGESTION, subject=SUBJECT, text=TEXT,
                  consent_to_publish=True).letter  # fmt: skip
    page.goto(f"{base}/my/letters/{kept.public_id}/")
    press(walk, page.get_by_role("button", name=w["withdraw"]))
    expect(page.get_by_text(w["withdrawn"])).to_be_visible()
    expect(page.get_by_test_id("consent")).to_contain_text(w["no consent"])
    fits(page)
    shot(page, "09-consent-withdrawn")
    kept.refresh_from_db()
    assert not kept.consent_to_publish
