"""The telephony system's screen-pop: a call arrives with a number, the API returns what the seat's
call page shows for it (the same look-up: scoped, limited, audited), and the seat opens that page."""

from __future__ import annotations

import uuid

import pytest
import requests
from pytest_django.live_server_helper import LiveServer

from tests.api.conftest import Partner
from tests.console.conftest import sign_in
from tests.factories import CITIZEN_NAME, CITIZEN_PHONE, receive
from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.letters.services import letter_submit
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel, LetterType


@pytest.mark.usefixtures("restores_what_the_flush_removes")
def test_a_call_pops_the_callers_record_and_the_seat_opens_it(
    live_server: LiveServer, key: str, partner_mailbox: Mailbox, seat_agent: User, citizen: User
) -> None:
    earlier = receive(citizen, partner_mailbox, subject="上次反映的户口问题")
    # The telephony system, over HTTP: the number in the body, never in the URL.
    popped = requests.post(
        f"{live_server.url}/api/v1/calls/screen-pop",
        json={"number": "+86 138-0013-8000", "seat": seat_agent.username},
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    assert popped.status_code == 200, popped.text
    record = popped.json()
    assert record["caller"] == {"masked_name": "张*", "masked_phone": "138****8000"}
    assert [letter["tracking_number"] for letter in record["letters"]] == [earlier.tracking_number]
    assert CITIZEN_NAME not in popped.text
    assert record["console_url"] == f"{live_server.url}/console/call"
    # The seat's screen opens the call page and posts the number, as the page's own form does.
    from django.test import Client

    seat = sign_in(Client(), seat_agent)
    page = seat.post("/console/call", {"action": "lookup", "number": CITIZEN_PHONE}).content.decode()
    assert earlier.tracking_number in page and "上次反映的户口问题" in page
    lookups = AuditEntry.objects.filter(kind=AuditKind.IDENTITY_REVEAL, actor=seat_agent)
    assert lookups.count() == 2  # the API's look-up is recorded like the page's


@pytest.mark.django_db
def test_the_screen_pop_shows_what_the_seat_may_see(
    partner: Partner, partner_mailbox: Mailbox, seat_agent: User, citizen: User, beijing_mailbox: Mailbox
) -> None:
    """Anonymous calls from the number are shown too; letters outside the seat's jurisdiction are not."""
    anonymous = letter_submit(
        mailbox=partner_mailbox, actor=seat_agent, letter_type=LetterType.REPORT, channel=Channel.TELEPHONE,
        subject="匿名举报赌博窝点", text="某小区地下室有人聚众赌博。", anonymous_phone=CITIZEN_PHONE,
    ).letter  # fmt: skip
    elsewhere = receive(citizen, beijing_mailbox, subject="北京的事")
    record = partner.post("/calls/screen-pop", {"number": CITIZEN_PHONE, "seat": seat_agent.username}).json()
    numbers = [letter["tracking_number"] for letter in record["letters"]]
    assert numbers == [anonymous.tracking_number]
    assert elsewhere.tracking_number not in numbers
    assert record["caller"] is None  # the account wrote only elsewhere: unknown here, as on the page


@pytest.mark.django_db
def test_the_seat_must_be_of_the_tokens_bureau(partner: Partner, partner_mailbox: Mailbox, outsider: User) -> None:
    response = partner.post("/calls/screen-pop", {"number": CITIZEN_PHONE, "seat": outsider.username})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_seat"
    assert not AuditEntry.objects.filter(kind=AuditKind.IDENTITY_REVEAL).exists()


@pytest.fixture
def beijing_mailbox(tree: None) -> Mailbox:
    """Another province's mailbox: outside the Guangdong seat's jurisdiction."""
    mailbox = Mailbox.objects.filter(owner__code="110000").first()
    assert mailbox is not None
    return mailbox
