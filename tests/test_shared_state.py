"""Nothing a web process needs is local to it (issue 17 §4).

Two real web processes (gunicorn, one worker each, a ``XINFANG_VAR_DIR`` of its own, as on two hosts)
serve the test database; one browser goes from one to the other, as a load balancer sends it. What
one process learns, the other knows: the session (a look-up's grant), the brakes (wrong query codes
counted across both) and the cache (the public figures both show are the same, and forgotten for both).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from tests.factories import receive
from tests.statistics.test_public_page import cells
from xinfang.accounts.models import User
from xinfang.letters.services import letter_submit
from xinfang.orgs.models import Mailbox
from xinfang.portal.views import LOOKUP_PER_PAIR
from xinfang.statistics.rollup import statistics_rollup
from xinfang.vocabulary import Channel, LetterType

pytestmark = pytest.mark.postgres_only
TOO_MANY = "该编号查询失败次数过多"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(var_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "XINFANG_VAR_DIR": str(var_dir),
        "XINFANG_DEBUG": "0",
        "XINFANG_ALLOWED_HOSTS": "127.0.0.1",
        "XINFANG_LOG_LEVEL": "WARNING",
        "XINFANG_SECRET_KEY": settings.SECRET_KEY,
        "XINFANG_VAULT_KEYS": ",".join(settings.XINFANG_VAULT_KEYS),
        "XINFANG_LOOKUP_KEY": settings.XINFANG_LOOKUP_KEY,
        "XINFANG_LOG_SIGNING_KEY": settings.XINFANG_LOG_SIGNING_KEY,
    }
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(settings.BASE_DIR), "--workers", "1",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "xinfang.wsgi:application",
    ]  # fmt: skip
    var_dir.mkdir(parents=True)
    with (var_dir / "gunicorn.log").open("ab") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
        try:
            requests.get(f"{base}/lookup/", timeout=60)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    raise AssertionError(f"{base} did not answer within 180 s")


@pytest.fixture(scope="module")
def web_hosts(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """Started once for the module (a few seconds each on a busy machine); they serve the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("two web processes share a server database")
    root = tmp_path_factory.mktemp("hosts")
    started = [serve(root / name) for name in ("host-a", "host-b")]
    try:
        for (process, base), name in zip(started, ("host-a", "host-b"), strict=True):
            wait_until_serving(process, base, root / name / "gunicorn.log")
        yield started[0][1], started[1][1]
    finally:
        for process, _base in started:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def two_web_processes(
    web_hosts: tuple[str, str], restores_what_the_flush_removes: None, transactional_db: None, tree: None
) -> Iterator[tuple[str, str]]:
    cache.clear()  # a flush does not empty the cache table
    yield web_hosts
    cache.clear()


def look_up(browser: requests.Session, base: str, number: str, code: str) -> requests.Response:
    """The look-up form as a browser posts it (the CSRF cookie it was given, and its token)."""
    if "csrftoken" not in browser.cookies:
        browser.get(f"{base}/lookup/", timeout=30)
    data = {"csrfmiddlewaretoken": browser.cookies["csrftoken"], "tracking_number": number, "query_code": code}
    return browser.post(f"{base}/lookup/", data=data, headers={"Referer": f"{base}/lookup/"}, allow_redirects=False)


def written(citizen: User, mailbox: Mailbox) -> tuple[str, str]:
    submission = letter_submit(
        mailbox=mailbox, actor=citizen, letter_type=LetterType.INQUIRY, channel=Channel.WEB,
        subject="户口迁移咨询", text="请问迁入天河区需要哪些材料？", division_code="440106",
    )  # fmt: skip
    return submission.letter.tracking_number, submission.query_code


def test_a_look_up_granted_by_one_process_is_honoured_by_the_other(
    two_web_processes: tuple[str, str], citizen: User, gd_mailbox: Mailbox
) -> None:
    a, b = two_web_processes
    number, code = written(citizen, gd_mailbox)
    browser = requests.Session()
    found = look_up(browser, a, number, code)
    assert found.status_code == 302, found.text[:2000]
    page = browser.get(f"{b}{found.headers['Location']}", timeout=30)
    assert page.status_code == 200 and number in page.text


def test_wrong_query_codes_are_counted_across_both_processes(
    two_web_processes: tuple[str, str], citizen: User, gd_mailbox: Mailbox
) -> None:
    a, b = two_web_processes
    number, code = written(citizen, gd_mailbox)
    browser = requests.Session()
    for attempt in range(LOOKUP_PER_PAIR):
        wrong = look_up(browser, (a, b)[attempt % 2], number, "WRONG" + str(attempt))
        assert wrong.status_code == 200 and TOO_MANY not in wrong.text
    for base in (a, b):
        refused = look_up(browser, base, number, code)  # the right code, too late on either
        assert refused.status_code == 200 and TOO_MANY in refused.text


def test_both_processes_show_the_same_public_figures_and_forget_them_together(
    two_web_processes: tuple[str, str], citizen: User, gd_mailbox: Mailbox
) -> None:
    a, b = two_web_processes
    month = timezone.localdate().strftime("%Y-%m")

    def received_this_month(base: str) -> str:
        response = requests.get(f"{base}/m/{gd_mailbox.slug}/statistics/", timeout=60)
        assert response.status_code == 200
        return cells(response.text, "data-month", month)[0]

    receive(citizen, gd_mailbox)
    statistics_rollup(settle=0)
    assert received_this_month(a) == "1"
    receive(citizen, gd_mailbox)
    statistics_rollup(settle=0)
    assert received_this_month(b) == "1"  # the figures process A put in the cache, not a second count
    cache.clear()  # what any process forgets, every process forgets
    assert received_this_month(b) == received_this_month(a) == "2"
