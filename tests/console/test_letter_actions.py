"""The one action table and the one way of running an action, on the front-desk and the work letter pages.

- The table and the access policy agree: every action the pages offer is one ``available_actions`` knows.
- After success both pages go only to a console address on this site, whatever ``next`` says.
- A conflict (someone acted first) on either page says so, keeps what the user typed and lets them
  submit it again; a refusal keeps the input and leaves nothing half done.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_staff
from tests.factories import action_url, handled_letter, page_url, receive, text_of
from xinfang.accounts.models import Role, User
from xinfang.console import actions
from xinfang.letters import services as s
from xinfang.letters.access import available_actions
from xinfang.letters.models import Letter, LetterState, Message
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
TEMPLATES = Path(actions.__file__).parent / "templates" / "console"
OFF_SITE = [
    "https://evil.example/console/",
    "//evil.example/console/",
    "/\\evil.example/console/",
    "https:///evil.example/console/",
    "javascript:alert(1)//console/",
]


def desk_url(letter: Letter) -> str:
    return reverse("console:desk_letter", args=[letter.public_id])


# ---------------------------------------------------------------- table and access agree


def test_every_action_in_the_table_is_one_available_actions_knows(
    acceptor: User, handler: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = receive(citizen, gd_mailbox)
    known = set(available_actions(acceptor, letter)) & set(available_actions(handler, letter))
    for action in actions.ACTION_TABLE:
        assert action.step in known, f"{action.page}:{action.slug} asks about {action.step!r}"
    for page in (actions.DESK, actions.WORK):
        slugs = [a.slug for a in actions.ACTION_TABLE if a.page == page]
        assert len(slugs) == len(set(slugs)), f"two entries named alike on the {page} page"


def test_the_desk_page_posts_only_actions_of_the_table() -> None:
    """Every decision the desk template posts (``name="action" value=…``) is an entry of the desk's table."""
    html = (TEMPLATES / "desk" / "letter.html").read_text()
    posted = set(re.findall(r'name="action" value="([a-z_]+)"', html))
    assert posted and posted <= set(actions.DESK_ACTIONS)


def test_the_work_page_offers_what_available_actions_allows_and_nothing_else(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    html = console_client(handler).get(page_url(letter)).content.decode()
    offered = set(re.findall(rf"/console/letters/{letter.public_id}/do/([a-z_]+)/", html)) - {
        "respond_instruction",
        "respond_order",
    }
    offers = available_actions(handler, letter)
    allowed = {a.slug for a in actions.WORK_ACTIONS.values() if offers[a.step].allowed}
    assert offered == allowed and "draft_reply" in offered


# ---------------------------------------------------------------- where success goes


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_work_page_never_sends_the_user_off_site(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    target: str,
) -> None:  # fmt: skip
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    response = console_client(handler).post(action_url(letter, "message"), {"message-text": "您好", "next": target})
    assert response.status_code == 302 and response["Location"] == page_url(letter)
    assert Message.objects.filter(letter=letter, text="您好").exists()


def test_the_work_page_goes_back_to_a_console_page_it_came_from(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    response = console_client(handler).post(
        action_url(letter, "message"), {"message-text": "您好", "next": "/console/work/"}
    )
    assert response.status_code == 302 and response["Location"] == "/console/work/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_desk_page_never_sends_the_user_off_site(
    console_client: SignIn, acceptor: User, citizen: User, gd_mailbox: Mailbox, target: str
) -> None:
    letter = receive(citizen, gd_mailbox)
    data = {"action": "accept", "accept-version": letter.version, "next": target}
    response = console_client(acceptor).post(desk_url(letter), data)
    assert response.status_code == 302 and response["Location"] == desk_url(letter)
    letter.refresh_from_db()
    assert letter.state == LetterState.ACCEPTED


# ---------------------------------------------------------------- conflicts and refusals, on both pages


def test_a_conflict_on_the_desk_page_keeps_the_typed_text_and_can_be_submitted_again(
    console_client: SignIn, acceptor: User, guangdong: Unit, citizen: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    letter = receive(citizen, gd_mailbox, letter_type=LetterType.COMPLAINT, accused_unit=tianhe)
    seen = letter.version
    colleague = make_staff("acceptor-2", guangdong, Role.ACCEPTOR)
    s.letter_set_accused(letter=Letter.objects.get(pk=letter.pk), actor=colleague, accused_unit=None, reason="核实")
    typed = "请补充派出所出具的回执复印件"
    client = console_client(acceptor)
    response = client.post(
        desk_url(letter), {"action": "request_info", "request_info-version": seen, "request_info-reason": typed}
    )
    page = text_of(response)
    assert "这封信刚刚被其他人处理过" in page and typed in page
    letter.refresh_from_db()
    assert letter.state == LetterState.RECEIVED
    assert f'name="request_info-version" value="{letter.version}"' in response.content.decode()
    again = client.post(
        desk_url(letter),
        {"action": "request_info", "request_info-version": letter.version, "request_info-reason": typed},
    )
    assert again.status_code == 302
    letter.refresh_from_db()
    assert letter.state == LetterState.INFO_REQUESTED


def test_a_conflict_on_the_work_page_keeps_the_typed_text_and_can_be_submitted_again(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    seen = letter.version
    colleague = make_staff("handler-2", tianhe, Role.HANDLER)
    s.letter_request_extension(letter=Letter.objects.get(pk=letter.pk), actor=colleague, days=10, reason="走访")
    typed = "经调查，民警处置符合规定。"
    client = console_client(handler)
    response = client.post(action_url(letter, "draft_reply"), {"draft_reply-version": seen, "draft_reply-text": typed})
    assert response.status_code == 409
    page = text_of(response)
    assert "这封信已被其他人处理" in page and typed in page
    letter.refresh_from_db()
    assert f'name="draft_reply-version" value="{letter.version}"' in response.content.decode()
    again = client.post(
        action_url(letter, "draft_reply"), {"draft_reply-version": letter.version, "draft_reply-text": typed}
    )
    assert again.status_code == 302
    letter.refresh_from_db()
    assert letter.reply_text == typed


def test_a_refused_routing_on_the_desk_keeps_the_input_and_leaves_the_letter_unaccepted(
    console_client: SignIn, acceptor: User, citizen: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    """Routing a letter not yet accepted accepts it first: refused, neither step is kept."""
    letter = receive(citizen, gd_mailbox, letter_type=LetterType.COMPLAINT, accused_unit=tianhe)
    data = {
        "action": "other_unit",
        "other_unit-version": letter.version,
        "other_unit-unit": "440100",
        "other_unit-mode": "transfer",
        "other_unit-reason": "由市局统一处理",
    }
    response = console_client(acceptor).post(desk_url(letter), data)
    assert response.status_code == 200
    assert "请先认定被反映单位" in text_of(response) and "由市局统一处理" in text_of(response)
    letter.refresh_from_db()
    assert letter.state == LetterState.RECEIVED and letter.handling_unit is None
