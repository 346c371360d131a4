"""The mailbox's public face in real Chromium (issue 18 §2, §3): the public statistics page with its
chart and table, the mailbox embedded in a bureau's website served from another origin, and the
channel recorded per letter (a WeChat-entry letter, then a desktop letter in the same session).
Screenshots at 1280 and 360 px go to test-output/screenshots/."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, signed_in
from tests.conftest import PASSWORD
from tests.factories import receive
from xinfang.accounts.models import User
from xinfang.accounts.services import citizen_create
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox
from xinfang.statistics.rollup import statistics_rollup
from xinfang.vocabulary import Channel

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


@pytest.fixture(autouse=True)
def clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def zhang(tree: None) -> User:
    return citizen_create(
        real_name="张三",
        id_number="11010519491231002X",
        phone="13800138000",
        password=PASSWORD,
        phone_verified_at=timezone.now(),
    )


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def new_page(browser: Browser, viewport: str, locale: str = "zh-CN") -> Page:
    phone = viewport == "phone"
    context = browser.new_context(viewport=VIEWPORTS[viewport], is_mobile=phone, has_touch=phone, locale=locale)
    return context.new_page()


# ---------------------------------------------------------------- the public statistics page


# Each width and each language once: a 1280 px desktop in Chinese, a 360 px phone in English.
WIDTHS_AND_LANGUAGES = [("desktop", "zh-CN"), ("phone", "en-US")]


@pytest.mark.parametrize(("viewport", "locale"), WIDTHS_AND_LANGUAGES)
def test_the_public_statistics_page_has_a_chart_and_a_table_with_the_same_numbers(
    browser: Browser, live_server: LiveServer, zhang: User, shot: Shot, viewport: str, locale: str
) -> None:
    mailbox = Mailbox.objects.get(slug="gd")
    for _ in range(3):
        receive(zhang, mailbox)
    statistics_rollup(settle=0)
    page = new_page(browser, viewport, locale)
    try:
        page.goto(f"{live_server.url}/m/gd/")
        page.get_by_role("link", name=re.compile("近 12 个月|last 12 months")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("办理情况公开|Public figures"))
        expect(page.locator(".public-chart svg")).to_be_visible()  # ECharts drew the chart
        this_month = f"{timezone.localdate():%Y-%m}"
        row = page.locator(f'tr[data-month="{this_month}"] td')
        expect(row.first).to_have_text("3")
        expect(page.get_by_role("table").first.locator("tbody tr")).to_have_count(12)
        expect(page.locator("dl.definitions dt")).to_have_count(6)
        expect(page.locator(f'tr[data-mailbox="{Mailbox.objects.get(owner__code="440100").slug}"]')).to_be_visible()
        no_sideways_scroll(page)
        shot(page, "statistics")
    finally:
        page.context.close()


# ---------------------------------------------------------------- embedding from another origin


class BureauSite:
    """A bureau's website on another port: one page with the mailbox's script tag, or a plain frame."""

    def __init__(self, live_server: LiveServer) -> None:
        pages = {
            "/": f'<h1>某市公安局网站</h1><script src="{live_server.url}/embed/gd.js" async></script>',
            "/framed": f'<h1>直接嵌入</h1><iframe title="framed" src="{live_server.url}/m/gd/"></iframe>',
            "/framed-embed": f'<h1>嵌入页</h1><iframe title="framed" src="{live_server.url}/embed/gd/"></iframe>',
        }

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                head = "<!doctype html><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
                body = (head + pages.get(self.path, "")).encode()
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bureau_site(live_server: LiveServer, tree: None) -> Iterator[BureauSite]:
    site = BureauSite(live_server)
    yield site
    site.close()


def allow(origins: str, style: str = "float") -> None:
    """What an administrator saves in the mailbox admin (a save, so the live server's copy is forgotten)."""
    mailbox = Mailbox.objects.get(slug="gd")
    mailbox.embed_origins, mailbox.embed_style = origins, style
    mailbox.save()


@pytest.mark.parametrize(("viewport", "locale"), WIDTHS_AND_LANGUAGES)
def test_a_bureau_website_on_another_origin_opens_the_mailbox_from_its_floating_window(
    browser: Browser, live_server: LiveServer, bureau_site: BureauSite, shot: Shot, viewport: str, locale: str
) -> None:
    allow(bureau_site.origin)
    english = locale == "en-US"
    with translation.override("en" if english else "zh-hans"):
        name = Mailbox.objects.get(slug="gd").display_name
    page = new_page(browser, viewport, locale)
    try:
        page.goto(bureau_site.origin + "/")
        floating = page.locator('[data-xinfang="float"]')
        expect(floating).to_have_text(f"✉ {name}")  # in the reader's language
        no_sideways_scroll(page)
        shot(page, "01-floating-window")
        if viewport == "phone":
            floating.tap()
        else:
            floating.click()
        window = page.frame_locator('[data-xinfang="dialog"] iframe')
        expect(window.get_by_role("heading", name=name)).to_be_visible()  # the frame was allowed
        expect(page.get_by_role("button", name="Close" if english else "关闭")).to_be_in_viewport()
        shot(page, "02-window-open")
        with page.context.expect_page() as opened:
            window.get_by_role("link", name="Open the mailbox" if english else "进入信箱").click()
        mailbox = opened.value
        mailbox.wait_for_load_state()
        assert mailbox.url == f"{live_server.url}/m/gd/"
        expect(mailbox.get_by_role("link", name="Write a letter" if english else "我要写信")).to_be_visible()
        no_sideways_scroll(mailbox)
        shot(mailbox, "03-mailbox-opened")
    finally:
        page.context.close()


def test_the_pop_up_opens_by_itself_and_closes(
    browser: Browser, live_server: LiveServer, bureau_site: BureauSite, shot: Shot
) -> None:
    allow(bureau_site.origin, style="popup")
    page = new_page(browser, "phone")
    try:
        page.goto(bureau_site.origin + "/")
        dialog = page.locator('[data-xinfang="dialog"]')
        expect(dialog).to_be_visible()
        expect(
            page.frame_locator('[data-xinfang="dialog"] iframe').get_by_role("link", name="我要写信")
        ).to_be_visible()
        shot(page, "popup")
        dialog.get_by_role("button", name=re.compile("关闭")).click()
        expect(dialog).to_be_hidden()
    finally:
        page.context.close()


def test_a_website_not_allowed_gets_nothing_and_other_pages_refuse_frames(
    browser: Browser, live_server: LiveServer, bureau_site: BureauSite
) -> None:
    allow("https://gat.gd.gov.cn")
    page = new_page(browser, "desktop")
    try:
        page.goto(bureau_site.origin + "/")
        page.wait_for_load_state("networkidle")
        expect(page.locator('[data-xinfang="float"]')).to_have_count(0)
        allow(bureau_site.origin)
        page.goto(bureau_site.origin + "/framed")  # the mailbox page itself, framed directly
        page.wait_for_load_state("networkidle")
        framed = next(f for f in page.frames if f != page.main_frame)
        assert framed.url == "chrome-error://chromewebdata/"  # Chromium refused to show it
        page.goto(bureau_site.origin + "/framed-embed")  # the embed page, framed the same way: shown
        expect(page.frame_locator("iframe").get_by_role("heading", name="广东省公安厅厅长信箱")).to_be_visible()
    finally:
        page.context.close()


# ---------------------------------------------------------------- the channel, per letter


# The writing form's words as a reader of each language sees them.
FORM = {
    "zh-CN": {"write": "我要写信", "complaint": "投诉", "police": "涉及警种", "city": "市（地区、州）或区县",
              "county": "县（市、区）", "address": "详细地址", "subject": r"^标题", "text": r"^来信内容",
              "submit": "提交来信", "done": "来信已提交"},
    "en-US": {"write": "Write a letter", "complaint": "Complaint", "police": "Police service concerned",
              "city": "City (prefecture) or district", "county": "County (city, district)", "address": "Address",
              "subject": r"^Subject", "text": r"^Your letter", "submit": "Submit letter",
              "done": "Your letter has been submitted"},
}  # fmt: skip


def write_letter(page: Page, subject: str, locale: str = "zh-CN") -> Letter:
    words = FORM[locale]
    page.get_by_role("link", name=words["write"]).click()
    page.get_by_label(words["complaint"], exact=True).check()
    page.get_by_label(words["police"]).select_option("household")
    page.get_by_label(words["city"]).select_option("440100")
    county = page.get_by_label(words["county"])
    expect(county).to_be_visible()
    county.select_option("440106")
    page.get_by_label(words["address"], exact=True).fill("天河路 1 号")
    page.get_by_label(re.compile(words["subject"])).fill(subject)
    page.get_by_label(re.compile(words["text"])).fill("我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。")
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.get_by_role("heading", name=words["done"])).to_be_visible()
    return Letter.objects.get(tracking_number=page.get_by_test_id("tracking-number").inner_text())


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_wechat_entry_letter_is_wechat_and_a_later_desktop_letter_in_the_same_session_is_web(
    browser: Browser, live_server: LiveServer, zhang: User, shot: Shot, locale: str
) -> None:
    mailbox = Mailbox.objects.get(slug="gd")
    mailbox.channels = [Channel.WEB, Channel.WECHAT, Channel.WEIBO]
    mailbox.greeting, mailbox.office_phone = "欢迎您给我写信。", "020-83113000"
    mailbox.save()
    page = signed_in(new_page(browser, "phone", locale), live_server, zhang)
    try:
        page.goto(f"{live_server.url}/m/gd/?ch=wechat")  # opened from the WeChat menu, in WeChat's browser
        expect(page.get_by_test_id("greeting")).to_contain_text("欢迎您给我写信")
        no_sideways_scroll(page)
        shot(page, "01-mailbox-from-wechat")
        first = write_letter(page, "从微信菜单写的信", locale)
        shot(page, "02-receipt")
        page.set_viewport_size(VIEWPORTS["desktop"])  # later, the same person at a desktop, same session
        page.goto(f"{live_server.url}/m/gd/")
        second = write_letter(page, "在电脑上写的信", locale)
        shot(page, "03-desktop-receipt")
        assert (first.channel, second.channel) == (Channel.WECHAT, Channel.WEB)
    finally:
        page.context.close()
