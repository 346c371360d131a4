"""Security headers on every response: a Content-Security-Policy that forbids inline scripts and
styles (and pages that still work under it), a Permissions-Policy, and no-store for anything
personal."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponseBase
from django.test import Client

from tests.console.conftest import sign_in
from xinfang.accounts.models import User

TEMPLATE_ROOT = Path(settings.BASE_DIR) / "xinfang"
CSP_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
]
# What the policy would block: inline script or style, event-handler attributes, javascript: URLs, htmx's hx-on.
INLINE_IN_TEMPLATE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=|javascript:|\shx-on", re.IGNORECASE
)


class InlineFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block in a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names and dict(attrs).get("type") != "application/json":
            self.blocked.append("inline <script>")
        if tag == "style":
            self.blocked.append("<style>")
        self.blocked += [f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")]
        urls = [name for name, value in attrs if (value or "").strip().lower().startswith("javascript:")]
        self.blocked += [f"{tag} {name}=javascript:" for name in urls]


def blocked_by_csp(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.blocked


def assert_headers(response: HttpResponseBase) -> None:
    csp = response["Content-Security-Policy"]
    for directive in CSP_DIRECTIVES:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "camera=()" in response["Permissions-Policy"]


def no_store(response: HttpResponseBase) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_the_public_home_page_carries_the_policies_may_be_cached_and_has_nothing_inline(tree: None) -> None:
    response = Client().get("/")

    assert response.status_code == 200
    assert_headers(response)
    assert not no_store(response)
    assert blocked_by_csp(response.content.decode()) == []


def test_every_page_for_a_signed_in_user_is_no_store(citizen: User) -> None:
    client = Client()
    client.force_login(citizen)

    response = client.get("/")

    assert response.status_code == 200
    assert no_store(response)


@pytest.mark.parametrize("path", ["/console/", "/inbox/", "/admin/"])
def test_staff_pages_and_the_inbox_are_no_store_even_before_sign_in(db: None, path: str) -> None:
    response = Client().get(path)

    assert no_store(response)
    assert_headers(response)


def test_the_answer_to_a_post_is_no_store(db: None) -> None:
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert no_store(response)


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser(username="root", password="correct-horse-battery-staple")


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/audit/auditentry/", "/admin/accounts/user/", "/admin/accounts/user/add/"]
)
def test_admin_pages_work_under_the_policy(superuser: User, path: str) -> None:
    client = sign_in(Client(), superuser)  # the admin wants the second factor too

    response = client.get(path)

    assert response.status_code == 200
    assert_headers(response)
    assert blocked_by_csp(response.content.decode()) == []
    assert re.search(r'<script src="/static/admin/js/', response.content.decode())


def test_the_staff_sign_in_page_works_under_the_policy(db: None) -> None:
    response = Client().get("/console/login/")

    assert response.status_code == 200
    assert no_store(response)
    assert blocked_by_csp(response.content.decode()) == []


def test_no_template_relies_on_inline_script_or_style() -> None:
    offenders = [
        f"{path.relative_to(TEMPLATE_ROOT)}: {match.group(0)!r}"
        for path in sorted(TEMPLATE_ROOT.glob("**/templates/**/*.html"))
        for match in INLINE_IN_TEMPLATE.finditer(path.read_text())
    ]
    assert offenders == []
