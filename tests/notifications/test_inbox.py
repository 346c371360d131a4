"""The inbox: a citizen's in the portal, staff's behind the console gate, each person's own only."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import plan_on_a_big_table
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


@pytest.mark.postgres_only
def test_the_newest_page_of_a_busy_inbox_is_read_from_an_index_without_sorting(
    acceptor: User, receipt: Notification
) -> None:
    """A provincial acceptor is told of every new letter: hundreds of thousands a year (docs/benchmarks.md)."""
    from xinfang.notifications.selectors import inbox

    plan = plan_on_a_big_table(inbox(acceptor)[:30])
    assert "notification_newest_idx" in plan
    assert "Sort" not in plan


def test_an_inbox_longer_than_the_count_cap_says_it_lists_only_the_latest(
    acceptor: User, citizen: User, gd_mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting hundreds of thousands of notifications cost more than the page (docs/benchmarks.md):
    past the cap the inbox says how many of the latest it lists, and still pages through them."""
    from xinfang.pages import paging, views_inbox

    for _ in range(3):
        submit(citizen, gd_mailbox)
    drain()
    assert Notification.objects.filter(recipient=acceptor).count() >= 3
    monkeypatch.setattr(paging.CappedPaginator, "cap", 2)
    monkeypatch.setattr(views_inbox, "PAGE_SIZE", 1)
    client = sign_in(Client(), acceptor)
    first = client.get("/inbox/").content.decode()
    assert "第 1 / 2 页，只列出最近 2 条" in first
    assert "?page=2" in first
    client.cookies["django_language"] = "en"
    assert "Page 1 of 2, the latest 2 listed" in client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
