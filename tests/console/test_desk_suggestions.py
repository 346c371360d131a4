"""The desk letter page's pre-dispatch panel: suggestions with their words, accepted in one click."""

from __future__ import annotations

import pytest

from tests.factories import ConsoleClient
from xinfang.accounts.models import User
from xinfang.console import services
from xinfang.letters.models import Letter, LetterEvent
from xinfang.orgs.models import Mailbox
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import Channel, LetterType

pytestmark = pytest.mark.usefixtures("phone_mailbox")
TEXT = "我在宝安西乡的出租屋被入室盗窃，丢了金首饰和现金，报案后一直没有消息，要求公安机关立案侦查。"


@pytest.fixture
def called_in(seat_agent: User, gd_mailbox: Mailbox) -> Letter:
    """A call the seat registered without a place or a police type (the caller did not say, the agent left them)."""
    fields = {"letter_type": LetterType.REQUEST, "channel": Channel.TELEPHONE, "subject": "家中被盗",
              "text": TEXT, "division_code": "", "address": "", "police_type": ""}  # fmt: skip
    return services.call_register(
        actor=seat_agent, mailbox=gd_mailbox, fields=fields, anonymous_phone="13900139000"
    ).letter


def url(letter: Letter) -> str:
    return f"/console/desk/{letter.public_id}/"


def apply(client: object, letter: Letter, **overrides: str) -> object:
    data = {"version": str(letter.version), "division_code": "440306", "police_type": "criminal", **overrides}
    return client.post(f"{url(letter)}suggestions", data)  # type: ignore[attr-defined]


def test_the_page_shows_the_suggestions_with_the_words_behind_them(
    console_client: ConsoleClient, acceptor: User, called_in: Letter
) -> None:
    page = console_client(acceptor).get(url(called_in)).content.decode()
    assert "系统建议（据信件内容，待确认）" in page
    assert "宝安区（440306）" in page and "依据：宝安" in page
    assert "刑侦" in page and "入室" in page and "盗窃" in page
    assert "采纳建议的事发地、警种" in page
    assert "宝安" in page.split("采纳后的承办建议：")[1].split("</strong>")[0]


def test_one_click_fills_place_and_police_type_and_the_proposal_follows(
    console_client: ConsoleClient, acceptor: User, called_in: Letter
) -> None:
    before = propose_for_letter(called_in).unit
    response = apply(console_client(acceptor), called_in)
    assert response.status_code == 302  # type: ignore[attr-defined]
    letter = Letter.objects.get(pk=called_in.pk)
    assert (letter.division_code, letter.police_type) == ("440306", "criminal")
    event = LetterEvent.objects.filter(letter=letter, action="apply_suggestions").get()
    assert event.actor == acceptor and event.data == {"division_code": "440306", "police_type": "criminal"}
    after = propose_for_letter(letter).unit
    assert after != before and "宝安" in str(after)


def test_it_never_overwrites_what_the_letter_already_has(
    console_client: ConsoleClient, acceptor: User, called_in: Letter
) -> None:
    Letter.objects.filter(pk=called_in.pk).update(division_code="440106")
    called_in.refresh_from_db()
    apply(console_client(acceptor), called_in)
    letter = Letter.objects.get(pk=called_in.pk)
    assert (letter.division_code, letter.police_type) == ("440106", "criminal")


def test_an_unknown_place_is_refused_and_nothing_changes(
    console_client: ConsoleClient, acceptor: User, called_in: Letter
) -> None:
    client = console_client(acceptor)
    apply(client, called_in, division_code="999999", police_type="")
    assert Letter.objects.get(pk=called_in.pk).division_code == ""
    assert "建议的事发地不是已知的行政区划" in client.get(url(called_in)).content.decode()


def test_it_validates_ownership(console_client: ConsoleClient, outsider: User, called_in: Letter) -> None:
    response = apply(console_client(outsider), called_in)
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert Letter.objects.get(pk=called_in.pk).division_code == ""


def test_a_seat_agent_cannot_apply_suggestions(
    console_client: ConsoleClient, seat_agent: User, called_in: Letter
) -> None:
    assert apply(console_client(seat_agent), called_in).status_code == 403  # type: ignore[attr-defined]
