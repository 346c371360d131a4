from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot

GD_MAILBOX_ZH = "广东省公安厅厅长信箱"
GD_MAILBOX_EN = "Director's Mailbox, Department of Public Security of Guangdong Province"


@pytest.fixture
def home(live_server: LiveServer, tree: None) -> str:
    return live_server.url + "/"


def test_the_home_page_in_chinese_lists_12389_and_the_guangdong_mailbox(
    page_desktop: Page, home: str, shot: Shot
) -> None:
    page_desktop.goto(home)
    expect(page_desktop.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page_desktop.get_by_text("12389 公安机关和人民警察违法违纪举报平台")).to_be_visible()
    expect(page_desktop.get_by_text(GD_MAILBOX_ZH, exact=True)).to_be_visible()  # Guangdong is open by default
    shot(page_desktop, "home-zh")


@pytest.mark.parametrize("page_desktop", ["en-US"], indirect=True)
def test_the_home_page_speaks_english_to_an_english_browser(page_desktop: Page, home: str, shot: Shot) -> None:
    page_desktop.goto(home)
    expect(page_desktop.locator("html")).to_have_attribute("lang", "en")
    expect(page_desktop.get_by_text(GD_MAILBOX_EN, exact=True)).to_be_visible()
    shot(page_desktop, "home-en")


def test_the_language_button_switches_the_language_and_back(page_desktop: Page, home: str, shot: Shot) -> None:
    page_desktop.goto(home)
    page_desktop.get_by_role("button", name="English").click()
    expect(page_desktop.get_by_role("heading", level=1)).to_have_text("Write to the public security organs")
    expect(page_desktop.get_by_text(GD_MAILBOX_EN, exact=True)).to_be_visible()
    shot(page_desktop, "switched-to-english")
    page_desktop.get_by_role("button", name="中文").click()
    expect(page_desktop.get_by_role("heading", level=1)).to_have_text("给公安机关写信")


def test_on_a_360_px_phone_nothing_scrolls_sideways_and_the_language_button_is_easy_to_tap(
    page_phone: Page, home: str, shot: Shot
) -> None:
    page_phone.goto(home)
    assert page_phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page_phone.get_by_role("button", name="English").bounding_box()
    assert box is not None and box["height"] >= 44
    shot(page_phone, "home-phone-zh")
