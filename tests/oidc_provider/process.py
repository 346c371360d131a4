"""Start and stop the test identity provider (``serve``) from a test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.oidc_provider.serve import CLIENT_ID, CLIENT_SECRET
from tests.oidc_provider.site import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60


@dataclass(frozen=True)
class Provider:
    url: str

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def relying_party_settings(self) -> dict[str, object]:
        """The product's settings that make it a relying party of this provider."""
        return {
            "XINFANG_OIDC_ISSUER": self.issuer,
            "XINFANG_OIDC_CLIENT_ID": CLIENT_ID,
            "XINFANG_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }


@contextmanager
def start_provider(redirect_uris: list[str]) -> Iterator[Provider]:
    """A running provider whose client may return to ``redirect_uris``; stopped when the block ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XINFANG_", "DATABASE_URL"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", *redirect_uris],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY "):
            process.wait(timeout=START_TIMEOUT)
            raise RuntimeError(f"the test identity provider did not start (exit {process.returncode})")
        yield Provider(url=f"http://127.0.0.1:{int(line.split()[1])}")
    finally:
        process.terminate()
        process.wait(timeout=10)


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[str(found["name"])] = found.get("value") or ""


def _hidden_inputs(html: str) -> dict[str, str]:
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.values


def sign_in_and_consent(authorize_url: str, *, username: str, allow: bool = True) -> str:
    """Do at the provider what a resident does in a browser: sign in as ``username`` and allow
    (or decline) sharing their identity. Returns where the provider sends them back (the callback URL)."""
    session = requests.Session()
    login_page = session.get(authorize_url, timeout=10)  # not signed in: the provider's sign-in form
    form = _hidden_inputs(login_page.text)
    form.update(username=username, password=PASSWORD)
    consent_page = session.post(login_page.url, data=form, timeout=10)  # back to authorize: consent
    answer = _hidden_inputs(consent_page.text)
    if allow:
        answer["allow"] = "Authorize"
    back = session.post(urljoin(consent_page.url, "/openid/authorize"), data=answer, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:500]
    return str(back.headers["Location"])
