"""Issue 18 §1 in real Chromium: a letter published with its writer's consent, then taken down.

The citizen writes a suggestion and ticks the consent box → the letter is replied (set up through
the services) → the Tianhe publisher finds it among the candidates, opens the redaction preview
(the writer's name and phone masked), edits the title and sends it for approval → the Tianhe leader
approves it → the public list shows it, a search without spaces finds it, the detail shows the
reply and the replying unit → the publisher takes it down and the public page is gone.
Screenshots go to test-output/screenshots/<test name>/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn, signed_in
from tests.conftest import make_staff
from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import AssignmentMode, Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication import services
from xinfang.vocabulary import LetterType

SUBJECT = "建议户籍窗口周末开放"
TEXT = "我是张三，电话13800138000。上班族工作日没空，建议天河区户籍窗口周末也开放办理业务。"
REPLY = "经研究，自下月起天河区户籍窗口每周六上午开放办理。"
TITLE = "关于户籍窗口周末开放的建议"


def reply_to(letter: Letter, acceptor: User, tianhe: Unit, handler: User, leader: User) -> None:
    """The front desk transfers the letter to Tianhe, which handles it and replies with the leader's approval."""
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe, mode=AssignmentMode.TRANSFER, reason="")
    s.letter_start_handling(letter=letter, actor=handler)
    s.letter_draft_reply(letter=letter, actor=handler, text=REPLY)
    s.letter_approve_reply(letter=letter, actor=leader)


def test_a_consented_letter_is_redacted_approved_found_and_taken_down(
    signed_in_page: SignedIn, page_desktop: Page, live_server: LiveServer, citizen: User, acceptor: User,
    tianhe: Unit, handler: User, leader: User, shot: Shot,
) -> None:  # fmt: skip
    base = live_server.url
    publisher = make_staff("publisher", tianhe, Role.PUBLISHER)

    # 1. The writer consents at submission.
    page = signed_in(page_desktop, live_server, citizen)
    page.goto(f"{base}/m/gd/write/")
    page.get_by_label("意见建议", exact=True).check()
    page.get_by_label("市（地区、州）或区县").select_option("440100")
    county = page.get_by_label("县（市、区）")
    expect(county).to_be_visible()
    county.select_option("440106")
    page.get_by_label(re.compile(r"^标题")).fill(SUBJECT)
    page.get_by_label(re.compile(r"^来信内容")).fill(TEXT)
    consent = page.get_by_label(re.compile("同意在隐去姓名"))
    expect(consent).not_to_be_checked()  # off unless the writer ticks it
    consent.check()
    shot(page, "01-write-with-consent")
    page.get_by_role("button", name="提交来信").click()
    tracking = page.get_by_test_id("tracking-number").inner_text()
    letter = Letter.objects.get(tracking_number=tracking)
    assert letter.consent_to_publish

    # 2. The letter is replied.
    reply_to(letter, acceptor, tianhe, handler, leader)

    # 3. The publisher lands on the candidates and opens the redaction preview.
    console = signed_in_page(publisher)
    console.goto(f"{base}/console/")
    expect(console.get_by_role("heading", level=1)).to_have_text("信件公开")
    row = console.locator(f'tr[data-letter="{tracking}"]')
    expect(row).to_be_visible()
    shot(console, "02-publisher-candidates")
    row.get_by_role("button", name="拟定公开稿").click()
    text_box = console.get_by_label("公开的来信内容")
    expect(text_box).to_have_value(re.compile(r"\[已隐去\]"))
    assert "张三" not in text_box.input_value() and "13800138000" not in text_box.input_value()
    shot(console, "03-redaction-preview")
    console.get_by_label("公开标题").fill(TITLE)
    console.get_by_role("button", name="保存公开稿").click()
    expect(console.get_by_text("公开稿已保存。")).to_be_visible()
    console.get_by_role("button", name="送领导审批").click()
    expect(console.get_by_test_id("publication-state")).to_have_text("待领导审批")

    # 4. The leader approves.
    approver = signed_in_page(leader)
    approver.goto(f"{base}/console/publication/approvals/")
    shot(approver, "04-leader-approvals")
    approver.get_by_role("link", name=TITLE).click()
    approver.get_by_role("button", name="批准公开").click()
    expect(approver.get_by_test_id("publication-state")).to_have_text("已公开")

    # 5. The public reads it, and finds it by a search without spaces.
    page.goto(f"{base}/m/gd/published/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.get_by_label("搜索公开信件").fill("周末开放")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    shot(page, "05-public-search")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text(REPLY)).to_be_visible()
    expect(page.get_by_test_id("replying-unit")).to_have_text(tianhe.name)
    expect(page.get_by_text("13800138000")).to_have_count(0)
    shot(page, "06-public-detail")
    public_url = page.url

    # 6. The publisher takes it down; the public page is gone.
    console.reload()
    console.get_by_label("理由").fill("信访人来电要求撤下")
    console.get_by_role("button", name="撤下").click()
    expect(console.get_by_test_id("publication-state")).to_have_text("已撤下")
    shot(console, "07-taken-down")
    assert page.goto(public_url).status == 404  # type: ignore[union-attr]
    page.goto(f"{base}/m/gd/published/")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.mark.parametrize("page_phone", ["en-US"], indirect=True)
def test_the_public_pages_and_the_consent_read_on_a_phone_in_english(
    page_phone: Page, live_server: LiveServer, transactional_db: None, citizen: User, gd_mailbox: Mailbox,
    acceptor: User, tianhe: Unit, handler: User, leader: User, shot: Shot,
) -> None:  # fmt: skip
    base = live_server.url
    publisher = make_staff("publisher", tianhe, Role.PUBLISHER)
    shown, kept = (
        submit(citizen, gd_mailbox, letter_type=LetterType.SUGGESTION, subject=SUBJECT, text=TEXT,
               consent_to_publish=True).letter
        for _ in range(2)
    )  # fmt: skip
    for letter in (shown, kept):
        reply_to(letter, acceptor, tianhe, handler, leader)
    publication = services.publication_propose(letter=shown, actor=publisher)
    services.publication_edit(
        publication=publication, actor=publisher, title=TITLE, text=publication.published_text, reply=REPLY
    )
    services.publication_submit(publication=publication, actor=publisher)
    services.publication_approve(publication=publication, actor=leader)

    page = page_phone
    page.goto(f"{base}/m/gd/published/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Published letters")
    page.get_by_label("Search published letters").fill("周末开放")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "01-phone-public-list-en")
    page.get_by_role("link", name=TITLE).click()
    assert tianhe.name_en  # the unit tree has English names
    expect(page.get_by_test_id("replying-unit")).to_have_text(tianhe.name_en)
    expect(page.get_by_text("Replying unit")).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "02-phone-public-detail-en")

    # The writer of the other letter withdraws consent; it never becomes a candidate.
    page = signed_in(page, live_server, citizen)
    page.goto(f"{base}/my/letters/{kept.public_id}/")
    page.get_by_role("button", name="Withdraw consent to publication").click()
    expect(page.get_by_text("Consent withdrawn: this letter will not be published.")).to_be_visible()
    expect(page.get_by_test_id("consent")).to_contain_text("You did not consent")
    no_sideways_scroll(page)
    shot(page, "03-phone-consent-withdrawn-en")
    kept.refresh_from_db()
    assert not kept.consent_to_publish
