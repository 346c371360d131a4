"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Never run ``playwright install``: the browser is the distribution's ``/usr/bin/chromium``.
Every test here is marked ``browser`` automatically, so ``-m "not browser"`` leaves them out.

Pages take a locale through indirect parametrisation (default Chinese)::

    @pytest.mark.parametrize("page_desktop", ["en-US"], indirect=True)
    def test_x(page_desktop: Page) -> None: ...
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.console.conftest import sign_in
from xinfang.accounts.models import User

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
BROWSER_DIR = Path(__file__).resolve().parent
DEFAULT_LOCALE = "zh-CN"

Shot = Callable[[Page, str], Path]
SignedIn = Callable[..., Page]


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an asyncio event loop in this (the main) thread, and Django
    # refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation): fixtures
    # such as transactional_db's flush and ``tree`` would fail. The ORM calls here are in fact
    # synchronous and never run concurrently with the loop, so the check is switched off, for
    # as long as the browser lives only, so that the rest of the suite keeps the check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _locale(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", DEFAULT_LOCALE))


@pytest.fixture
def page_desktop(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 1280×800 desktop page in the locale given by indirect parametrisation (default zh-CN)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=_locale(request))
    yield context.new_page()
    context.close()


@pytest.fixture
def page_phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 360×740 touch phone page in the locale given by indirect parametrisation (default zh-CN)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale=_locale(request)
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    """``shot(page, name)`` saves a full-page screenshot to test-output/screenshots/<test>/<name>.png."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def take(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def signed_in_page(browser: Browser, live_server: LiveServer, transactional_db: None) -> Iterator[SignedIn]:
    """``signed_in_page(user, locale="zh-CN")``: a 1280×800 page whose browser holds ``user``'s staff session.

    Staff sign in with two factors; the session is made the way ``tests/console/conftest.py``
    makes it and handed to the browser as its session cookie. The contexts are closed before
    the live server stops and the database is torn down, so no late request (a type-ahead
    still in flight) outlives the test.
    """
    contexts: list[BrowserContext] = []

    def open_page(user: User, locale: str = DEFAULT_LOCALE) -> Page:
        client = sign_in(Client(), user)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
        contexts.append(context)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def signed_in(page: Page, live_server: LiveServer, user: User) -> Page:
    """Give the browser the session of ``user`` (signing in through the form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page
