"""Staff sign-in in Chromium: first sign-in enrols an authenticator from the QR page, then both factors."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot
from tests.conftest import PASSWORD
from xinfang.accounts.models import User


def phone_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the staff member's authenticator app shows, computed from the device key."""
    device.refresh_from_db()
    return str(totp(device.bin_key, device.step, device.t0, device.digits, drift=steps_ahead)).zfill(device.digits)


def type_password(page: Page, user: User, password: str = PASSWORD) -> None:
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="下一步").click()


def test_a_handler_enrols_with_the_qr_code_signs_out_and_signs_in_with_both_factors(
    page_desktop: Page, live_server: LiveServer, handler: User, shot: Shot
) -> None:
    page = page_desktop
    page.goto(live_server.url + "/console/")
    expect(page).to_have_url(live_server.url + "/console/login/?next=/console/")
    shot(page, "1-password")
    type_password(page, handler)

    expect(page.get_by_role("heading", name="设置身份验证器")).to_be_visible()
    qr = page.get_by_role("img", name="身份验证器二维码")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150
    device = TOTPDevice.objects.get(user=handler, confirmed=False)
    shot(page, "2-enrol-qr")
    page.get_by_label("验证码").fill(phone_code(device))
    page.get_by_role("button", name="完成设置并登录").click()

    expect(page.get_by_role("heading", name="您的恢复码")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    shot(page, "3-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page).to_have_url(live_server.url + "/console/")
    shot(page, "4-console")

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("您已安全退出。")).to_be_visible()
    type_password(page, handler)
    expect(page.get_by_text("第 2 步（共 2 步）：验证码")).to_be_visible()
    shot(page, "5-code-step")
    page.get_by_label("验证码").fill(phone_code(device, steps_ahead=1))  # the enrolment used this step's code
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(live_server.url + "/console/")

    page.get_by_role("link", name="账户安全").click()
    expect(page.get_by_text("还剩 10 个未使用的恢复码。")).to_be_visible()
    shot(page, "6-security")


@pytest.mark.parametrize("page_desktop", ["en-US"], indirect=True)
def test_five_wrong_passwords_show_the_lockout_page_in_english(
    page_desktop: Page, live_server: LiveServer, handler: User, shot: Shot
) -> None:
    page = page_desktop
    page.goto(live_server.url + "/console/login/")
    for _ in range(5):
        page.get_by_label("Username").fill(handler.username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Sign-in temporarily locked")).to_be_visible()
    expect(page.get_by_text("Please try again in 15 minutes.")).to_be_visible()
    shot(page, "locked-out-en")


def test_the_sign_in_page_fits_a_360_px_phone(
    page_phone: Page, live_server: LiveServer, tree: None, shot: Shot
) -> None:
    page_phone.goto(live_server.url + "/console/login/")
    assert page_phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page_phone.get_by_role("button", name="下一步").bounding_box()
    assert box is not None and box["height"] >= 44
    shot(page_phone, "login-phone")
