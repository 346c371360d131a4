"""A letter read as an emergency in progress, whatever its channel: red at the head of the desk queue,
110 first on its page, and a false flag cleared with one click (issue 16 §1)."""

from __future__ import annotations

import pytest

from tests.factories import ConsoleClient, receive
from xinfang.accounts.models import User
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_clear_emergency_flag, letter_submit
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel, LetterType


@pytest.fixture
def phone_mailbox(gd_mailbox: Mailbox) -> Mailbox:
    gd_mailbox.channels = [*gd_mailbox.channels, Channel.TELEPHONE]
    gd_mailbox.save(update_fields=["channels"])
    return gd_mailbox


INDIRECT = "我老公正在打我，我躲在卫生间里…请派民警过来"


def registered_by_seat(seat_agent: User, citizen: User, mailbox: Mailbox, text: str) -> Letter:
    return letter_submit(
        mailbox=mailbox, actor=seat_agent, letter_type=LetterType.REPORT, channel=Channel.TELEPHONE,
        subject="来电", text=text, citizen=citizen,
    ).letter  # fmt: skip


def test_a_letter_registered_by_a_seat_is_flagged_red_at_the_top_of_the_desk_with_its_words(
    console_client: ConsoleClient, acceptor: User, seat_agent: User, citizen: User, phone_mailbox: Mailbox
) -> None:
    ordinary = receive(citizen, phone_mailbox)
    flagged = registered_by_seat(seat_agent, citizen, phone_mailbox, INDIRECT)
    assert flagged.emergency_flag and flagged.emergency_words == ["正在打", "躲在"]
    assert not ordinary.emergency_flag
    response = console_client(acceptor).get("/console/desk/")
    rows = [row.letter.tracking_number for row in response.context["rows"]]
    assert rows == [flagged.tracking_number, ordinary.tracking_number]
    body = response.content.decode()
    assert 'class="emergency"' in body and "正在打、躲在" in body


def test_on_the_letter_page_110_comes_first_and_a_false_flag_is_cleared_with_one_click(
    console_client: ConsoleClient, acceptor: User, seat_agent: User, citizen: User, phone_mailbox: Mailbox
) -> None:
    ordinary = receive(citizen, phone_mailbox)
    flagged = registered_by_seat(seat_agent, citizen, phone_mailbox, INDIRECT)
    client = console_client(acceptor)
    page = client.get(f"/console/desk/{flagged.public_id}/").content.decode()
    assert page.index("转 110 紧急处置") < page.index("仅受理（稍后分办）")
    response = client.post(
        f"/console/desk/{flagged.public_id}/", {"action": "clear_emergency", "clear_emergency-version": "0"}
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert not flagged.emergency_flag
    event = flagged.events.get(action="clear_emergency_flag")
    assert event.actor == acceptor and event.data == {"words": ["正在打", "躲在"]}
    rows = [row.letter.pk for row in client.get("/console/desk/").context["rows"]]
    assert rows == [ordinary.pk, flagged.pk]  # no longer first: the older letter's deadline is nearer


def test_an_outsider_cannot_clear_the_flag(
    outsider: User, seat_agent: User, citizen: User, phone_mailbox: Mailbox
) -> None:
    flagged = registered_by_seat(seat_agent, citizen, phone_mailbox, INDIRECT)
    with pytest.raises(LifecycleError):
        letter_clear_emergency_flag(letter=flagged, actor=outsider)
    with pytest.raises(LifecycleError):
        letter_clear_emergency_flag(letter=flagged, actor=seat_agent)  # a seat agent is no acceptor
    flagged.refresh_from_db()
    assert flagged.emergency_flag
