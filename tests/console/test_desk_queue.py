"""The front-desk queue: new letters of the unit, nearest acceptance deadline first, masked, paginated."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.conftest import plan_on_a_big_table
from tests.factories import CITIZEN_NAME, CITIZEN_PHONE, ConsoleClient, receive
from xinfang.accounts.models import User
from xinfang.console.views_desk import QUEUE_PAGE_SIZE
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_accept, letter_request_info, letter_supply_info
from xinfang.orgs.models import Mailbox

TZ = timezone.get_fixed_timezone(8 * 60)


def day(n: int) -> dt.datetime:
    return dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ) + dt.timedelta(days=n)


def queue_numbers(client: Client, page: int = 1) -> list[str]:
    response = client.get("/console/desk/", {"page": page})
    return [row.letter.tracking_number for row in response.context["rows"]]


def test_the_queue_puts_the_nearest_acceptance_deadline_first(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    early = receive(citizen, gd_mailbox, at=day(0), subject="最早收到，补充材料后重新计时")
    middle = receive(citizen, gd_mailbox, at=day(3), subject="第二封")
    with time_machine.travel(day(1), tick=False):
        letter_request_info(letter=early, actor=acceptor, reason="请提供户籍证明")
    with time_machine.travel(day(6), tick=False):
        letter_supply_info(letter=early, actor=citizen, text="已补充户籍证明")
    late = receive(citizen, gd_mailbox, at=day(8), subject="最后一封")
    assert queue_numbers(console_client(acceptor)) == [middle.tracking_number, early.tracking_number,
                                                       late.tracking_number]  # fmt: skip


def test_the_queue_leaves_out_letters_waiting_for_the_writer_and_keeps_accepted_ones_to_route(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    waiting = receive(citizen, gd_mailbox, subject="等待补充")
    letter_request_info(letter=waiting, actor=acceptor, reason="请提供证明")
    accepted = receive(citizen, gd_mailbox, subject="已受理待分办")
    letter_accept(letter=accepted, actor=acceptor)
    numbers = queue_numbers(console_client(acceptor))
    assert accepted.tracking_number in numbers and waiting.tracking_number not in numbers


def test_the_queue_masks_the_writer_and_shows_the_proposed_unit(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    receive(citizen, gd_mailbox)
    page = console_client(acceptor).get("/console/desk/").content.decode()
    assert "张*" in page and "138****8000" in page
    assert CITIZEN_NAME not in page and CITIZEN_PHONE not in page
    assert "广州市公安局天河区分局" in page  # the routing proposal for a letter about Tianhe


def test_the_queue_is_paginated(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    for n in range(QUEUE_PAGE_SIZE + 1):
        receive(citizen, gd_mailbox, at=day(n % 10), subject=f"第 {n} 封")
    client = console_client(acceptor)
    assert len(queue_numbers(client, 1)) == QUEUE_PAGE_SIZE
    assert len(queue_numbers(client, 2)) == 1
    assert set(queue_numbers(client, 1)).isdisjoint(queue_numbers(client, 2))


def test_an_outsiders_queue_holds_none_of_our_letters(
    console_client: ConsoleClient, outsider: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = receive(citizen, gd_mailbox)
    assert letter.tracking_number not in queue_numbers(console_client(outsider))


def test_the_queue_is_for_acceptors_only(console_client: ConsoleClient, handler: User, seat_agent: User) -> None:
    assert console_client(handler).get("/console/desk/").status_code == 403
    assert console_client(seat_agent).get("/console/desk/").status_code == 403


def test_an_acceptor_without_a_second_factor_is_sent_to_sign_in(acceptor: User) -> None:
    client = Client()
    client.force_login(acceptor)
    response = client.get("/console/desk/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


def test_the_navigation_shows_each_role_its_own_pages(
    console_client: ConsoleClient, acceptor: User, seat_agent: User
) -> None:
    acceptor_page = console_client(acceptor).get("/console/").content.decode()
    seat_page = console_client(seat_agent).get("/console/").content.decode()
    assert 'href="/console/desk/"' in acceptor_page and 'href="/console/call"' not in acceptor_page
    assert 'href="/console/call"' in seat_page and 'href="/console/desk/"' not in seat_page


@pytest.mark.usefixtures("phone_mailbox")
def test_a_call_the_seat_registers_reaches_the_front_desk(
    console_client: ConsoleClient, seat_agent: User, acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    receive(citizen, gd_mailbox, subject="此前的来信")  # a caller the Guangdong seat knows
    form = {
        "number": CITIZEN_PHONE, "mailbox": gd_mailbox.pk, "caller": "existing", "identity_checked": "on",
        "letter_type": "inquiry", "place": "440106", "subject": "来电咨询出入境", "text": "港澳通行证如何续签？",
    }  # fmt: skip
    assert console_client(seat_agent).post("/console/call", form).status_code == 302
    letter = Letter.objects.get(subject="来电咨询出入境")
    assert letter.tracking_number in queue_numbers(console_client(acceptor))


@pytest.mark.postgres_only
def test_the_queue_is_read_in_its_order_from_one_index_however_long_it_grows(
    acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    """A provincial desk holds thousands of letters at 10,000,000 (docs/benchmarks.md): its first page
    must not fetch and sort all of them."""
    from xinfang.console.selectors_desk import desk_queue

    receive(citizen, gd_mailbox, at=day(0), subject="一封")
    plan = plan_on_a_big_table(desk_queue(acceptor)[:QUEUE_PAGE_SIZE])
    assert "letter_desk_owed_idx" in plan
    assert "Sort" not in plan
