"""Reading letters in real Chromium (issue 16): the indirect emergency stopped in the portal at 360 px,
the flagged letter at the top of the desk queue, and the suggestions and repeat candidates on a desk
letter page, with screenshots."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn, signed_in
from tests.conftest import PASSWORD
from tests.factories import receive
from xinfang.accounts.models import User
from xinfang.accounts.services import citizen_create
from xinfang.analysis.repeats import index_signatures
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import LetterType

INDIRECT = "我老公正在打我，我躲在卫生间里，门快被他踹开了，请派民警过来"
ORIGINAL = (
    "我到沙河派出所办理身份证，窗口的民警张某说要加急得交200元，我交了以后没有给任何收据，"
    "证件到现在也没拿到，要求退还加急费并处理张某。"
)
AGAIN = "再次反映：我在沙河派出所办身份证，民警张某收了我200块加急费不开收据，身份证至今没拿到，要求退钱。"


@pytest.fixture
def zhang(transactional_db: None, tree: None) -> User:
    return citizen_create(
        real_name="张三", id_number="11010519491231002X", phone="13800138000", password=PASSWORD,
        phone_verified_at=timezone.now(),
    )  # fmt: skip


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_an_indirect_emergency_is_stopped_in_the_portal_on_a_phone(
    page_phone: Page, live_server: LiveServer, zhang: User, shot: Shot
) -> None:
    page = signed_in(page_phone, live_server, zhang)
    page.goto(f"{live_server.url}/m/gd/write/")
    page.get_by_label("求决", exact=True).check()
    page.get_by_label(re.compile(r"^标题")).fill("家里的事")
    page.get_by_label(re.compile(r"^来信内容")).fill(INDIRECT)  # no 救命, no 110: the meaning, not a phrase
    page.get_by_role("button", name="提交来信").click()
    expect(page.get_by_role("heading", name="如果危险正在发生，请立即拨打 110")).to_be_visible()
    expect(page.get_by_role("link", name="拨打 110")).to_have_attribute("href", "tel:110")
    assert not Letter.objects.exists()
    no_sideways_scroll(page)
    shot(page, "indirect-emergency-stop-360")


def test_a_flagged_letter_is_at_the_top_of_the_desk_queue_with_its_words(
    signed_in_page: SignedIn, live_server: LiveServer, acceptor: User, zhang: User, gd_mailbox: Mailbox, shot: Shot
) -> None:
    receive(zhang, gd_mailbox, subject="户口迁移咨询")
    flagged = receive(zhang, gd_mailbox, letter_type=LetterType.REQUEST, subject="家里的事", text=INDIRECT)
    receive(zhang, gd_mailbox, subject="驾驶证换证咨询", text="请问驾驶证到期换证要带什么材料？")
    assert Letter.objects.get(pk=flagged.pk).emergency_flag
    page = signed_in_page(acceptor, "zh-CN")
    page.goto(live_server.url + "/console/desk/")
    first = page.locator("table.queue tbody tr").first
    expect(first).to_have_class(re.compile("emergency"))
    expect(first).to_contain_text(flagged.tracking_number)
    expect(first.locator("[data-emergency-words]")).to_contain_text("正在打")
    shot(page, "flagged-letter-first")


def test_the_desk_letter_page_shows_the_suggestions_and_the_earlier_letter(
    signed_in_page: SignedIn, live_server: LiveServer, acceptor: User, zhang: User, gd_mailbox: Mailbox, shot: Shot
) -> None:
    fields = {"letter_type": LetterType.COMPLAINT, "division_code": "", "address": ""}
    earlier = receive(zhang, gd_mailbox, subject="办身份证被收加急费", text="天河区" + ORIGINAL, **fields)
    index_signatures()
    again = receive(zhang, gd_mailbox, subject="再次反映加急费", text="天河区" + AGAIN, **fields)
    page = signed_in_page(acceptor, "zh-CN")
    page.goto(live_server.url + f"/console/desk/{again.public_id}/")
    suggestions = page.locator("section.suggestions")
    expect(suggestions).to_contain_text("系统建议（据信件内容，待确认）")
    expect(suggestions).to_contain_text("天河")
    panel = page.locator("[data-repeat-candidates]")
    expect(panel).to_contain_text("可能是同一事项的来信")
    candidate = panel.locator(f"[data-candidate='{earlier.tracking_number}']")
    expect(candidate).to_contain_text("同一信访人")
    expect(candidate.locator("mark").first).to_be_visible()
    panel.scroll_into_view_if_needed()
    shot(page, "desk-letter-suggestions-and-repeats")
    candidate.get_by_role("button", name="链接为重复件").click()
    expect(page.get_by_text(f"已将本件链接为 {earlier.tracking_number} 的重复件")).to_be_visible()
    assert Letter.objects.get(pk=again.pk).repeat_of_id == earlier.pk
    shot(page, "desk-letter-linked")
