"""Every console page on a 360 px phone (issue 20 §3): nothing wider than the screen, tables read as
cards (each value under its column's name), and the desktop keeps its tables. Screenshots of
every page at 360 px are saved under test-output/screenshots/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot
from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import at, handled_letter, receive
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit

PHONE = ViewportSize(width=360, height=740)
DESKTOP = ViewportSize(width=1280, height=800)
OpenAs = Callable[..., Page]

# Whether the page is wider than the window, and the first card's label as the phone shows it.
MEASURE = """() => {
  const cell = document.querySelector("main table tbody [data-label]");
  const before = cell ? getComputedStyle(cell, "::before").content : null;
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    label: cell ? cell.dataset.label : null,
    before: before,
    row: cell ? getComputedStyle(cell.closest("tr")).display : null,
    table: cell ? getComputedStyle(cell.closest("table")).display : null,
  };
}"""


@pytest.fixture
def world(
    transactional_db: None, tree: None, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit,
    handler: User, leader: User,
) -> dict[str, Letter]:  # fmt: skip
    """A letter waiting at the Guangdong desk, an overdue one at Tianhe and one with a reply awaiting approval."""
    today = timezone.localdate()
    waiting = receive(citizen, gd_mailbox, subject="派出所办理居住证时多次让我来回跑，要求说明原因")
    with at(today - dt.timedelta(days=75)):
        overdue = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler, subject="户籍迁移久拖不办")
    drafted = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler, subject="交通违法处理不当")
    s.letter_draft_reply(letter=drafted, actor=handler, text="经核实，已撤销处罚决定。")
    s.instruction_create(letter=overdue, actor=leader, text="请认真核实，一周内报告。")
    return {"waiting": waiting, "overdue": overdue, "drafted": drafted}


@pytest.fixture
def open_as(browser: Browser, live_server: LiveServer) -> Iterator[OpenAs]:
    contexts: list[BrowserContext] = []

    def open_page(user: User, viewport: ViewportSize, locale: str = "zh-CN") -> Page:
        cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        phone = viewport["width"] < 720
        context = browser.new_context(viewport=viewport, locale=locale, is_mobile=phone, has_touch=phone)
        contexts.append(context)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _pages(world: dict[str, Letter], staff: dict[str, User]) -> list[tuple[User, str, str]]:
    """(who, name for the screenshot, address) for every console page, each as a person who uses it."""
    waiting, overdue = world["waiting"].public_id, world["overdue"].public_id
    return [
        (staff["seat"], "seat-home", "/console/"),
        (staff["seat"], "seat-call", "/console/call"),
        (staff["acceptor"], "desk-queue", "/console/desk/"),
        (staff["acceptor"], "desk-letter", f"/console/desk/{waiting}/"),
        (staff["handler"], "work-list", "/console/work/"),
        (staff["handler"], "work-letter", f"/console/letters/{overdue}/"),
        (staff["handler"], "inbox", "/inbox/"),
        (staff["leader"], "approvals", "/console/approvals/"),
        (staff["leader"], "important", "/console/important/"),
        (staff["leader"], "explanations", "/console/explanations/"),
        (staff["leader"], "publication-approvals", "/console/publication/approvals/"),
        (staff["publisher"], "publication", "/console/publication/"),
        (staff["inspector"], "supervision", "/console/supervision/"),
        (staff["inspector"], "supervision-letters", "/console/supervision/letters/"),
        (staff["inspector"], "supervision-orders", "/console/supervision/orders/"),
        (staff["inspector"], "warnings", "/console/warnings/"),
        (staff["inspector"], "statistics", "/console/statistics/"),
        (staff["inspector"], "statistics-assessment", "/console/statistics/assessment/"),
        (staff["inspector"], "statistics-hotspots", "/console/statistics/hotspots/"),
        (staff["inspector"], "statistics-letters", "/console/statistics/letters/"),
        (staff["inspector"], "statistics-reports", "/console/statistics/reports/"),
    ]


# Pages whose table has rows in this world: on a phone each row must read as a card.
CARDS = {"desk-queue", "work-list", "important", "supervision", "supervision-letters", "statistics",
         "statistics-assessment", "statistics-letters"}  # fmt: skip


@pytest.fixture
def staff(
    seat_agent: User, acceptor: User, handler: User, leader: User, inspector: User, tianhe: Unit
) -> dict[str, User]:
    publisher = make_staff("publisher", tianhe, Role.PUBLISHER)
    return {"seat": seat_agent, "acceptor": acceptor, "handler": handler, "leader": leader,
            "inspector": inspector, "publisher": publisher}  # fmt: skip


def test_every_console_page_fits_a_phone_and_its_tables_read_as_cards(
    open_as: OpenAs, live_server: LiveServer, world: dict[str, Letter], staff: dict[str, User], shot: Shot
) -> None:
    phones: dict[int, Page] = {}
    for user, name, address in _pages(world, staff):
        page = phones.get(user.pk) or phones.setdefault(user.pk, open_as(user, PHONE))
        response = page.goto(live_server.url + address)
        assert response is not None and response.ok, (name, response and response.status)
        expect(page.locator("header.console-header")).to_be_visible()
        measured = page.evaluate(MEASURE)
        shot(page, name)
        assert measured["overflow"] <= 0, f"{name} is {measured['overflow']} px wider than a 360 px phone"
        if name in CARDS:
            assert measured["row"] == "block", f"{name}: rows are not cards"
            assert measured["before"] == f'"{measured["label"]}"', f"{name}: the cell's label is not shown"
    # The header's links wrap onto lines of their own instead of squeezing to a character a line.
    brand = phones[staff["inspector"].pk].locator(".console-header .brand").bounding_box()
    assert brand is not None and brand["height"] < 60


def test_the_desktop_keeps_its_tables_and_an_english_phone_labels_cards_in_english(
    open_as: OpenAs, live_server: LiveServer, world: dict[str, Letter], staff: dict[str, User], shot: Shot
) -> None:
    desktop = open_as(staff["acceptor"], DESKTOP)
    desktop.goto(live_server.url + "/console/desk/")
    measured = desktop.evaluate(MEASURE)
    assert measured["table"] == "table" and measured["row"] == "table-row"
    assert measured["before"] in ("none", "normal")
    expect(desktop.locator("table.queue thead")).to_be_visible()
    shot(desktop, "desk-queue-desktop")

    phone = open_as(staff["handler"], PHONE, "en-US")
    phone.goto(live_server.url + "/console/work/")
    measured = phone.evaluate(MEASURE)
    assert measured["overflow"] <= 0
    assert measured["before"] == '"Due"', measured
    shot(phone, "work-list-english")
