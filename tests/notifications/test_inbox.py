"""The inbox: a citizen's in the portal, staff's behind the console gate, each person's own only."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.console.conftest import sign_in
from tests.letters.conftest import submit
from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.notifications.models import Kind, Notification
from xinfang.notifications.selectors import unread_count
from xinfang.orgs.models import Mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(citizen: User, acceptor: User, gd_mailbox: Mailbox) -> Notification:
    submit(citizen, gd_mailbox)
    drain()
    return Notification.objects.get(recipient=citizen, kind=Kind.RECEIPT)


def templates(response: object) -> list[str]:
    return [t.name for t in getattr(response, "templates", []) if t.name]


def test_a_citizen_reads_their_inbox_in_the_portal_and_opening_marks_read(citizen: User, receipt: Notification) -> None:
    client = Client()
    client.force_login(citizen)
    assert unread_count(citizen) == 1
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert "notifications/portal_inbox.html" in templates(page)
    assert receipt.title in page.content.decode()
    opened = client.get(f"/inbox/{receipt.public_id}/")
    assert opened.status_code == 200
    assert receipt.letter is not None
    assert receipt.letter.tracking_number in opened.content.decode()
    assert unread_count(citizen) == 0


def test_staff_read_their_inbox_in_the_console(acceptor: User, receipt: Notification) -> None:
    client = sign_in(Client(), acceptor)
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert "notifications/console_inbox.html" in templates(page)
    assert "新信件待受理" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert client.post("/inbox/read-all/").status_code == 302
    assert unread_count(acceptor) == 0


def test_staff_without_the_second_factor_and_strangers_are_sent_to_sign_in(
    acceptor: User, receipt: Notification
) -> None:
    half_signed_in = Client()
    half_signed_in.force_login(acceptor)
    assert half_signed_in.get("/inbox/").status_code == 302
    stranger = Client().get(f"/inbox/{receipt.public_id}/")
    assert stranger.status_code == 302
    assert stranger["Location"].startswith("/account/sign-in/")


def test_it_validates_ownership(receipt: Notification, outsider: User, acceptor: User, english_citizen: User) -> None:
    other_citizen = Client()
    other_citizen.force_login(english_citizen)
    assert other_citizen.get(f"/inbox/{receipt.public_id}/").status_code == 404
    assert sign_in(Client(), outsider).get(f"/inbox/{receipt.public_id}/").status_code == 404
    assert sign_in(Client(), acceptor).get(f"/inbox/{receipt.public_id}/").status_code == 404
    assert Notification.objects.get(pk=receipt.pk).read_at is None


def test_the_inbox_speaks_english_to_an_english_reader(english_citizen: User, gd_mailbox: Mailbox) -> None:
    submit(english_citizen, gd_mailbox)
    drain()
    client = Client()
    client.force_login(english_citizen)
    page = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Letter received" in page.content.decode()
    assert "1 unread notification" in page.content.decode()


def test_a_signed_out_visitor_following_an_sms_link_is_asked_to_sign_in_to_the_portal(client: Client) -> None:
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/inbox/"
