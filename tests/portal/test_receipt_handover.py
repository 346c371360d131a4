"""The query code reaches the receipt page without a second write (issue 17 §1): in an encrypted,
short-lived cookie for that letter's receipt page only, never in a URL, and shown once."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.letters.models import Letter
from xinfang.letters.services import query_code_matches
from xinfang.orgs.models import Mailbox
from xinfang.portal.views_letters import RECEIPT_COOKIE, RECEIPT_SECONDS

pytestmark = pytest.mark.django_db
FORM = {
    "letter_type": "complaint",
    "province": "440000",
    "city": "440100",
    "county": "440106",
    "subject": "派出所办理户籍迁移拖延",
    "text": "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。",
    "channel": "web",
}


def shown_code(body: str) -> str | None:
    marker = 'data-testid="query-code">'
    return body.split(marker)[1].split("<")[0] if marker in body else None


def test_the_code_travels_encrypted_to_that_letters_receipt_page_only(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    response = citizen_client.post("/m/gd/write/", FORM)
    letter = Letter.objects.get(citizen=citizen)
    cookie = response.cookies[RECEIPT_COOKIE]
    assert cookie["path"] == f"/my/letters/{letter.public_id}/submitted/" and cookie["httponly"]
    assert cookie["samesite"] == "Strict" and int(cookie["max-age"]) == RECEIPT_SECONDS
    code = shown_code(citizen_client.get(response["Location"]).content.decode())
    assert code is not None and query_code_matches(letter, code)
    plain = code.replace("-", "")
    assert plain not in response["Location"] and code not in response["Location"]
    assert code not in cookie.value and plain not in cookie.value
    assert not any(code in str(value) for value in citizen_client.session.values())  # nothing kept server-side


def test_a_cookie_for_one_letter_shows_nothing_on_another_nor_after_ten_minutes(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    first = citizen_client.post("/m/gd/write/", FORM)
    token = first.cookies[RECEIPT_COOKIE].value
    second = citizen_client.post("/m/gd/write/", {**FORM, "subject": "第二封信"})
    citizen_client.cookies[RECEIPT_COOKIE] = token  # the first letter's cookie on the second's page
    assert shown_code(citizen_client.get(second["Location"]).content.decode()) is None
    citizen_client.cookies[RECEIPT_COOKIE] = token
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=RECEIPT_SECONDS + 5)):
        assert shown_code(citizen_client.get(first["Location"]).content.decode()) is None
    citizen_client.cookies[RECEIPT_COOKIE] = token
    assert shown_code(citizen_client.get(first["Location"]).content.decode()) is not None
