"""HEAD, the product's own error pages, and /admin/ for staff who are not administrators (issue 13, item 12).

The test client runs with DEBUG=False (pytest-django), as production does: the error pages are the
templates in ``xinfang/templates/`` (``400.html``, ``403.html``, ``403_csrf.html``, ``404.html``,
``500.html``), in the reader's language (LocaleMiddleware: the language cookie, else Accept-Language).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone, translation

from tests.console.conftest import sign_in
from tests.portal.conftest import submit
from tests.signin.conftest import START, VERIFY, enrol, password_step
from xinfang.accounts.models import User
from xinfang.orgs.models import Mailbox
from xinfang.publication.models import Publication, PublicationState


def _raises_server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _raises_permission_denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _raises_bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a tampered request")


# The product's URLs and three test-only pages that fail on purpose (used with ``pytest.mark.urls``).
urlpatterns = [
    path("test-errors/500/", _raises_server_error),
    path("test-errors/403/", _raises_permission_denied),
    path("test-errors/400/", _raises_bad_request),
    path("", include("xinfang.urls")),
]
with_failing_pages = pytest.mark.urls(__name__)


def text(response: Any) -> str:
    return unescape(response.content.decode())


# ---------------------------------------------------------------- HEAD


def _public_paths(publication: Publication) -> list[str]:
    """A concrete path for every URL of the portal and of the staff sign-in: the pages anyone may open."""
    samples = {"slug": publication.letter.mailbox.slug, "uuid": str(publication.public_id), "str": "440000"}
    paths = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                paths.append("/" + re.sub(r"<(\w+):\w+>", lambda m: samples.get(m.group(1), "x"), route))

    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace in ("portal", "signin"):
            walk(resolver.url_patterns, str(resolver.pattern))
    return paths


@pytest.fixture
def publication(citizen: User, gd_mailbox: Mailbox) -> Publication:
    letter = submit(citizen, gd_mailbox, consent_to_publish=True).letter
    return Publication.objects.create(
        letter=letter,
        title="公开的信件",
        published_text="来信内容",
        published_reply="答复内容",
        published_at=timezone.now(),
        mailbox=gd_mailbox,
        state=PublicationState.PUBLISHED,
    )


@pytest.mark.django_db
def test_every_public_page_answers_head_as_it_answers_get(client: Client, publication: Publication) -> None:
    paths = _public_paths(publication)
    assert {"/", "/m/gd/", "/lookup/", "/account/sign-in/", "/console/login/"} <= set(paths)
    assert f"/m/gd/published/{publication.public_id}/" in paths
    differ = []
    for page in paths:
        get, head = client.get(page), client.head(page)
        if (head.status_code, head.get("Content-Type")) != (get.status_code, get.get("Content-Type")):
            differ.append(f"{page}: GET {get.status_code}, HEAD {head.status_code}")
        assert head.content == b""
    assert not differ, "\n".join(differ)
    assert client.head("/")["Content-Length"] == client.get("/")["Content-Length"] != "0"


# ---------------------------------------------------------------- error pages


@pytest.fixture
def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_a_missing_page_is_the_products_404_in_chinese_and_in_english(client: Client, tree: None) -> None:
    chinese = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 404
    assert "页面不存在" in text(chinese) and 'href="/"' in text(chinese) and "公安信访" in text(chinese)
    by_header = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert by_header.status_code == 404 and "Page not found" in text(by_header)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    by_cookie = client.get(f"/m/no-such-mailbox-{uuid.uuid4().hex[:6]}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert by_cookie.status_code == 404 and "Back to the home page" in text(by_cookie)


@with_failing_pages
@pytest.mark.django_db
def test_a_server_error_is_the_products_500_in_the_readers_language(tree: None) -> None:
    client = Client(raise_request_exception=False)
    chinese = client.get("/test-errors/500/")
    assert chinese.status_code == 500
    assert "系统出错" in text(chinese) and "110" in text(chinese) and 'href="/"' in text(chinese)
    english = client.get("/test-errors/500/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Server error" in text(english)


def test_the_500_page_renders_without_a_request_or_the_database() -> None:
    """No ``django_db`` mark: any query would fail the test. The server error may be the database itself."""
    with translation.override("en"):
        page = render_to_string("500.html")
    assert "Server error" in page and 'href="/"' in page and "csrfmiddlewaretoken" not in page


@with_failing_pages
@pytest.mark.django_db
def test_a_forbidden_page_is_the_products_403(client: Client, tree: None) -> None:
    response = client.get("/test-errors/403/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Access denied" in text(response) and 'href="/"' in text(response)
    assert "没有权限" in text(client.get("/test-errors/403/"))


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_products_403(tree: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/lookup/", {"tracking_number": "X", "query_code": "Y"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "This page has expired" in text(response) and 'href="/"' in text(response)
    assert "页面已过期" in text(client.post("/lookup/", {}))


@with_failing_pages
@pytest.mark.django_db
def test_a_bad_request_is_the_products_400(client: Client, tree: None) -> None:
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    assert "请求有误" in text(response) and 'href="/"' in text(response)
    assert "Bad request" in text(client.get("/test-errors/400/", HTTP_ACCEPT_LANGUAGE="en"))


# ---------------------------------------------------------------- /admin/ for staff who are not administrators


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_a_verified_member_without_admin_rights_is_told_so_in_their_language(client: Client, handler: User) -> None:
    sign_in(client, handler)
    for url in ("/admin/", "/admin/letters/letter/", "/admin/login/?next=/admin/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "没有后台管理权限" in text(response) and f'href="{reverse("console:home")}"' in text(response)
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert "You do not have access to the back office" in text(english) and "Back to the console" in text(english)


@pytest.mark.django_db
def test_an_administrator_still_opens_the_admin(admin_client: Client) -> None:
    assert admin_client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_half_signed_in_member_opening_the_admin_is_sent_to_the_code_step(
    client: Client, handler: User, clock: time_machine.Traveller
) -> None:
    enrol(handler)
    assert password_step(client, handler)["Location"] == VERIFY
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == VERIFY
    assert 'name="otp_token"' in text(response)
