"""The demo outbox in real Chromium: a newcomer asks for a sign-up code in the portal, reads it on
the staff-only outbox page (newest first), and signs up with it. Screenshots go to test-output/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn
from xinfang.accounts.models import User
from xinfang.notifications.sms import send_sms

PHONE = "13912345678"


@pytest.fixture
def demo_files(tmp_path: Path) -> Iterator[Path]:
    """SMS and e-mail written to files, as in ``make run`` (the live server shares these settings)."""
    cache.clear()
    with override_settings(
        XINFANG_DEMO=True, SMS_BACKEND="file", SMS_FILE_DIR=tmp_path / "sms",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=tmp_path / "mail",
    ):  # fmt: skip
        yield tmp_path


def test_a_newcomer_reads_the_sign_up_code_on_the_demo_outbox_page_and_signs_up_with_it(
    demo_files: Path, signed_in_page: SignedIn, page_phone: Page, live_server: LiveServer, acceptor: User, shot: Shot
) -> None:
    base = live_server.url
    send_sms("13800000001", "【公安信访】您的信件 GD-20261201-000001 已受理。")  # an older message

    page_phone.goto(f"{base}/account/sign-up/")
    page_phone.get_by_label("真实姓名").fill("李四")
    page_phone.get_by_label("身份证号码").fill("440106199001011235")
    page_phone.get_by_label("手机号码").fill(PHONE)
    page_phone.get_by_role("button", name="获取短信验证码").click()
    expect(page_phone.locator("#code-status")).to_contain_text("验证码已发送")

    staff = signed_in_page(acceptor)
    staff.goto(f"{base}/console/demo/outbox/")
    expect(staff.get_by_role("heading", name="演示：短信和邮件发件箱")).to_be_visible()
    newest = staff.locator("table.demo-outbox tbody tr").first
    expect(newest).to_contain_text(PHONE)
    expect(newest).to_contain_text("您正在注册账户")
    expect(staff.locator("table.demo-outbox tbody tr").nth(1)).to_contain_text("已受理")
    shot(staff, "01-demo-outbox")
    found = re.search(r"验证码 (\d{6})", newest.inner_text())
    assert found is not None

    page_phone.get_by_label("短信验证码").fill(found.group(1))
    page_phone.get_by_label("设置密码").fill("a-long-enough-passphrase")
    page_phone.get_by_label("再次输入密码").fill("a-long-enough-passphrase")
    page_phone.get_by_role("button", name="注册", exact=True).click()
    expect(page_phone.get_by_role("heading", name="我的信件")).to_be_visible()
    shot(page_phone, "02-signed-up-with-the-code")
