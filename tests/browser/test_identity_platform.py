"""Real-name sign-in through the provincial identity platform, end to end in Chromium.

The platform is a real OpenID Connect provider (django-oidc-provider, tests/oidc_provider) started
for the test on a loopback port. A citizen who wants to write is sent to sign in, chooses the
platform, signs in there, allows sharing their identity and comes back signed in to the page they
wanted, with the name the platform vouched for. Screenshots of every step go to test-output/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot
from tests.oidc_provider.process import start_provider
from tests.oidc_provider.site import PASSWORD, RESIDENTS
from xinfang.accounts.models import CitizenIdentity, VerificationMethod

NAME, ID_NUMBER, PHONE = RESIDENTS["zhangsan"]


@pytest.mark.parametrize("device", ["page_phone"])
def test_a_citizen_signs_in_through_the_identity_platform_and_sees_the_verified_name(
    device: str, request: pytest.FixtureRequest, live_server: LiveServer, tree: None, settings: Settings, shot: Shot
) -> None:
    page: Page = request.getfixturevalue(device)
    base = live_server.url
    with start_provider([f"{base}/account/identity/platform/callback/"]) as provider:
        for name, value in provider.relying_party_settings().items():
            setattr(settings, name, value)
        settings.XINFANG_IDENTITY_BACKENDS = ["oidc", "format"]

        # 1. Writing needs a real name: the sign-in page offers the platform first.
        page.goto(f"{base}/m/gd/write/")
        expect(page.get_by_role("heading", name="通过省统一身份认证平台登录")).to_be_visible()
        shot(page, "01-sign-in")
        page.get_by_role("link", name="使用省统一身份认证平台登录").click()

        # 2. At the platform: sign in, then allow sharing name, ID number and phone.
        expect(page.get_by_role("heading", name="省统一身份认证平台（测试）")).to_be_visible()
        page.get_by_label("Username").fill("zhangsan")
        page.get_by_label("Password").fill(PASSWORD)
        shot(page, "02-platform-sign-in")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="Request for Permission")).to_be_visible()
        shot(page, "03-platform-consent")
        page.get_by_role("button", name="Authorize").click()

        # 3. Back on the page the citizen wanted, signed in under the verified name.
        expect(page.get_by_text(f"已通过省统一身份认证平台完成实名认证：{NAME}。")).to_be_visible()
        assert page.url == f"{base}/m/gd/write/"
        shot(page, "04-back-to-write")
        page.get_by_role("link", name="实名信息").click()
        expect(page.locator("#identity-name")).to_have_text(NAME)
        expect(page.locator("#identity-method")).to_have_text("省统一身份认证平台")
        expect(page.get_by_text("1101**********4514")).to_be_visible()
        shot(page, "05-verified-identity")

    identity = CitizenIdentity.objects.get()
    assert (identity.real_name, identity.id_number, identity.phone) == (NAME, ID_NUMBER, PHONE)
    assert identity.verified_by == VerificationMethod.OIDC


def test_the_demo_sign_up_form_says_it_checks_the_format_only(
    page_desktop: Page, live_server: LiveServer, transactional_db: None, shot: Shot
) -> None:
    page_desktop.goto(f"{live_server.url}/account/sign-up/")

    expect(page_desktop.locator("#format-only-notice")).to_contain_text("仅核对格式")
    expect(page_desktop.locator("#format-only-notice")).to_contain_text("不核验姓名与身份证号码是否属于同一人")
    shot(page_desktop, "sign-up-format-only")
