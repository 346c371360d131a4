"""The emergency stop, the lookup without an account, the outsider refused, and every portal page at 360 px."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, signed_in
from tests.conftest import PASSWORD
from xinfang.accounts.models import User
from xinfang.accounts.services import citizen_create
from xinfang.letters import services as s
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel, LetterType


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


def submit(citizen: User, text: str = "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。") -> s.Submission:
    return s.letter_submit(
        mailbox=Mailbox.objects.get(slug="gd"),
        actor=citizen,
        letter_type=LetterType.COMPLAINT,
        channel=Channel.WEB,
        subject="派出所民警办事拖延",
        text=text,
        division_code="440106",
    )


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_an_emergency_is_stopped_with_call_110_before_anything_is_submitted(
    page_phone: Page, live_server: LiveServer, zhang: User, shot: Shot
) -> None:
    page = signed_in(page_phone, live_server, zhang)
    page.goto(f"{live_server.url}/m/gd/write/")
    page.get_by_label("举报", exact=True).check()
    page.get_by_label(re.compile(r"^标题")).fill("楼下有人打架")
    page.get_by_label(re.compile(r"^来信内容")).fill("楼下有人正在打人，还持刀，请马上派人来！")
    page.get_by_role("button", name="提交来信").click()
    expect(page.get_by_role("heading", name="如果危险正在发生，请立即拨打 110")).to_be_visible()
    expect(page.get_by_role("link", name="拨打 110")).to_have_attribute("href", "tel:110")
    expect(page.get_by_label(re.compile(r"^来信内容"))).to_have_value("楼下有人正在打人，还持刀，请马上派人来！")
    assert not Letter.objects.exists()
    no_sideways_scroll(page)
    shot(page, "emergency-stop")
    page.get_by_label("这不是正在发生的紧急情况，我仍要提交这封信").check()
    page.get_by_role("button", name="提交来信").click()
    expect(page.get_by_role("heading", name="来信已提交")).to_be_visible()
    assert Letter.objects.get().citizen == zhang


def test_a_letter_is_looked_up_without_an_account(
    page_desktop: Page, live_server: LiveServer, zhang: User, shot: Shot
) -> None:
    submission = submit(zhang)
    page = page_desktop
    page.goto(f"{live_server.url}/lookup/")
    page.get_by_label("信件编号").fill(submission.letter.tracking_number)
    page.get_by_label("查询码").fill("WRONG-CODE")
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.get_by_text("信件编号或查询码不正确。")).to_be_visible()
    expect(page.get_by_label("信件编号")).to_have_value(submission.letter.tracking_number)
    shot(page, "lookup-refused")
    page.get_by_label("查询码").fill(submission.query_code)
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.get_by_test_id("state")).to_have_text("已接收，待受理")
    expect(page.get_by_role("heading", name="办理过程")).to_be_visible()
    shot(page, "lookup-found")


def test_an_outsider_cannot_open_another_citizens_letter(
    page_desktop: Page, live_server: LiveServer, zhang: User, shot: Shot
) -> None:
    letter = submit(zhang).letter
    other = citizen_create(
        real_name="王五",
        id_number="440106199001011235",
        phone="13912345678",
        password=PASSWORD,
        phone_verified_at=timezone.now(),
    )
    page = signed_in(page_desktop, live_server, other)
    response = page.goto(f"{live_server.url}/my/letters/{letter.public_id}/")
    assert response is not None and response.status == 404
    shot(page, "outsider-404")
    page.goto(f"{live_server.url}/my/letters/")
    expect(page.get_by_text("派出所民警办事拖延")).to_have_count(0)


@pytest.mark.parametrize("page_phone", ["zh-CN", "en-US"], indirect=True)
def test_every_portal_page_fits_a_360_px_phone(
    page_phone: Page, live_server: LiveServer, zhang: User, shot: Shot
) -> None:
    letter = submit(zhang).letter
    public = [
        ("home", "/"),
        ("mailbox", "/m/gd/"),
        ("published", "/m/gd/published/"),
        ("lookup", "/lookup/"),
        ("sign-in", "/account/sign-in/"),
        ("sign-in-code", "/account/sign-in/code/"),
        ("sign-up", "/account/sign-up/"),
        ("reset", "/account/reset/"),
    ]
    for name, path in public:
        page_phone.goto(live_server.url + path)
        no_sideways_scroll(page_phone)
        shot(page_phone, name)
    signed_in(page_phone, live_server, zhang)
    for name, path in [
        ("write", "/m/12389/write/"),
        ("my-letters", "/my/letters/"),
        ("identity", "/account/identity/"),
        ("letter", f"/my/letters/{letter.public_id}/"),
    ]:
        page_phone.goto(live_server.url + path)
        no_sideways_scroll(page_phone)
        shot(page_phone, name)
    submit_button = page_phone.get_by_role("button").last
    box = submit_button.bounding_box()
    assert box is not None and box["height"] >= 44
