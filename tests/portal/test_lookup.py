"""Looking a letter up without an account: tracking number and query code, throttled."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.portal.conftest import submit
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.orgs.models import Mailbox
from xinfang.portal.views import LOOKUP_PER_CLIENT, LOOKUP_PER_NUMBER

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


def test_one_tracking_number_is_locked_after_a_few_wrong_codes(
    client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    submission = submit(citizen, gd_mailbox)
    number = submission.letter.tracking_number
    for index in range(LOOKUP_PER_NUMBER):
        Client(REMOTE_ADDR=f"198.51.100.{index}").post("/lookup/", {"tracking_number": number, "query_code": "AAAA"})
    refused = client.post("/lookup/", {"tracking_number": number, "query_code": submission.query_code})
    assert "该编号查询失败次数过多" in refused.content.decode()
