"""Looking a letter up without an account: tracking number and query code, throttled."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from tests.portal.conftest import submit
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import RefusalReason
from xinfang.orgs.models import Mailbox
from xinfang.pages.models import ThrottleCount
from xinfang.portal.views import LOOKUP_PER_CLIENT, LOOKUP_PER_PAIR

pytestmark = pytest.mark.django_db


def test_a_letter_is_found_by_tracking_number_and_query_code(
    client: Client, citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    submission = submit(citizen, gd_mailbox)
    s.letter_accept(letter=submission.letter, actor=acceptor)
    code = submission.query_code.replace("-", "").lower()  # typed without dashes, in lower case
    response = client.post("/lookup/", {"tracking_number": submission.letter.tracking_number, "query_code": code})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "已受理" in body and submission.letter.subject in body


def test_a_wrong_code_says_only_that_number_or_code_is_wrong(
    client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = submit(citizen, gd_mailbox).letter
    wrong = client.post("/lookup/", {"tracking_number": letter.tracking_number, "query_code": "AAAA-BBBB"})
    missing = client.post("/lookup/", {"tracking_number": "GD-20000101-000000", "query_code": "AAAA-BBBB"})
    assert "信件编号或查询码不正确" in wrong.content.decode()
    assert "信件编号或查询码不正确" in missing.content.decode()
    assert f'value="{letter.tracking_number}"' in wrong.content.decode()


def test_the_found_letter_is_only_open_to_the_browser_that_looked_it_up(
    client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    submission = submit(citizen, gd_mailbox)
    response = client.post(
        "/lookup/", {"tracking_number": submission.letter.tracking_number, "query_code": submission.query_code}
    )
    assert client.get(response["Location"]).status_code == 200
    assert Client().get(response["Location"]).status_code == 404


def test_one_address_is_slowed_down_after_a_few_tries(client: Client, citizen: User, gd_mailbox: Mailbox) -> None:
    submission = submit(citizen, gd_mailbox)
    for index in range(LOOKUP_PER_CLIENT):
        client.post("/lookup/", {"tracking_number": f"GD-20260101-{index:06d}", "query_code": "AAAA"})
    right = {"tracking_number": submission.letter.tracking_number, "query_code": submission.query_code}
    refused = client.post("/lookup/", right)
    assert refused.status_code == 200 and "查询次数过多" in refused.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.9").post("/lookup/", right).status_code == 302


def test_an_attacker_is_locked_out_of_a_tracking_number_but_the_writer_is_not(
    citizen: User, gd_mailbox: Mailbox
) -> None:
    """Guessing at someone's letter locks the guesser's address for that number, never the owner."""
    submission = submit(citizen, gd_mailbox)
    number = submission.letter.tracking_number
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(LOOKUP_PER_PAIR):
        attacker.post("/lookup/", {"tracking_number": number, "query_code": "AAAA-BBBB"})
    right = {"tracking_number": number, "query_code": submission.query_code}
    refused = attacker.post("/lookup/", right)
    assert refused.status_code == 200 and "该编号查询失败次数过多" in refused.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.20").post("/lookup/", right).status_code == 302


def test_many_addresses_guessing_one_number_do_not_lock_its_writer_out(citizen: User, gd_mailbox: Mailbox) -> None:
    submission = submit(citizen, gd_mailbox)
    number = submission.letter.tracking_number
    for index in range(3 * LOOKUP_PER_PAIR):
        Client(REMOTE_ADDR=f"203.0.113.{index}").post("/lookup/", {"tracking_number": number, "query_code": "AAAA"})
    right = {"tracking_number": number, "query_code": submission.query_code}
    assert Client(REMOTE_ADDR="198.51.100.20").post("/lookup/", right).status_code == 302


def test_the_lock_is_kept_in_the_database_not_in_a_process_cache(
    client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    """Every worker sees the same count, and a restart (new caches) does not unlock the guesser."""
    submission = submit(citizen, gd_mailbox)
    number = submission.letter.tracking_number
    for _ in range(LOOKUP_PER_PAIR):
        client.post("/lookup/", {"tracking_number": number, "query_code": "AAAA-BBBB"})
    fresh = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "after-restart"}}
    with override_settings(CACHES=fresh):  # Django re-creates every cache when CACHES changes
        refused = client.post("/lookup/", {"tracking_number": number, "query_code": submission.query_code})
    assert "该编号查询失败次数过多" in refused.content.decode()
    assert ThrottleCount.objects.filter(scope="lookup-pair", hits=LOOKUP_PER_PAIR).count() == 1
    stored = " ".join(ThrottleCount.objects.values_list("key", flat=True))
    assert number not in stored and "127.0.0.1" not in stored


def test_a_refused_letter_shows_its_written_notice_once(
    client: Client, citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    submission = submit(citizen, gd_mailbox)
    notice = "您反映的事项属于人民法院职权范围，请依法向人民法院提出。"
    s.letter_refuse(letter=submission.letter, actor=acceptor, reason=RefusalReason.OTHER, text=notice)
    found = client.post(
        "/lookup/", {"tracking_number": submission.letter.tracking_number, "query_code": submission.query_code}
    )
    page = client.get(found["Location"]).content.decode()
    assert page.count(notice) == 1
    assert "不予受理" in page  # the timeline still shows the step


def test_the_help_shows_how_a_number_is_made_with_a_city_mailboxs_example(
    client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    guangzhou = Mailbox.objects.get(owner__code="440100")
    real = submit(citizen, guangzhou).letter.tracking_number
    help_text = client.get("/lookup/").content.decode()
    example = re.search(r"例如[^A-Z]*([A-Z0-9]+-\d{8}-\d{6})", help_text)
    assert example is not None and "信箱代码、提交日期和 6 位数字" in help_text
    assert example.group(1).split("-")[0] == real.split("-")[0] == guangzhou.tracking_prefix
