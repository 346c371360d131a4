"""Changing whom a letter accuses from the handling unit's letter page (issue 13 item 1), and the
letter page asking ``available_actions`` rather than restating the rules (issue 14 §1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests.conftest import make_staff
from tests.factories import assigned_letter, at, form_actions, page_url, post_action, text_of
from xinfang.accounts.models import Role, User
from xinfang.letters.models import Letter, LetterState
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
REASON = "经核实，涉事民警系天河区公安分局户政科民警。"


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit) -> Letter:
    return assigned_letter(citizen, gd_mailbox, acceptor, tianhe)


def test_a_handler_who_names_their_own_bureau_is_sent_to_the_work_list_and_loses_the_letter(
    console_client: SignIn, letter: Letter, handler: User, tianhe: Unit
) -> None:
    client = console_client(handler)
    assert "accused" in form_actions(client.get(page_url(letter)))
    response = post_action(client, letter, "accused", {"decision": "unit", "unit": "440106", "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:work")
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("已移出本单位" in line and letter.tracking_number in line for line in said)
    assert client.get(page_url(letter)).status_code == 404


def test_the_guangzhou_desk_gets_the_letter_back_with_the_reason(
    console_client: SignIn, letter: Letter, handler: User, guangzhou: Unit
) -> None:
    post_action(console_client(handler), letter, "accused", {"decision": "unit", "unit": "440106", "reason": REASON})
    letter.refresh_from_db()
    assert letter.intake_unit == guangzhou and letter.handling_unit is None
    assert letter.state == LetterState.ACCEPTED
    gz_desk = make_staff("gz-acceptor", guangzhou, Role.ACCEPTOR)
    page = console_client(gz_desk).get(reverse("console:desk_letter", args=[letter.public_id]))
    assert page.status_code == 200
    assert REASON in text_of(page)


def test_a_handler_may_record_that_the_letter_accuses_no_police_unit(
    console_client: SignIn, letter: Letter, handler: User
) -> None:
    client = console_client(handler)
    post_action(client, letter, "accused", {"decision": "unit", "unit": "440105", "reason": REASON})
    response = post_action(client, letter, "accused", {"decision": "none", "unit": "", "reason": "不涉及民警。"})
    assert response.status_code == 302 and response["Location"] == page_url(letter)
    letter.refresh_from_db()
    assert letter.accused_unit is None and letter.accused_decided_by == handler


def test_an_outsider_cannot_post_the_form(console_client: SignIn, letter: Letter, outsider: User) -> None:
    response = post_action(
        console_client(outsider), letter, "accused", {"decision": "unit", "unit": "440300", "reason": REASON}
    )
    assert response.status_code == 404
    letter.refresh_from_db()
    assert letter.accused_unit is None


def test_a_change_without_a_reason_is_refused_next_to_the_reason_with_the_input_kept(
    console_client: SignIn, letter: Letter, handler: User
) -> None:
    response = post_action(console_client(handler), letter, "accused", {"decision": "unit", "unit": "440105"})
    assert response.status_code == 200
    html = response.content.decode()
    reason_field = html[html.index('id="id_accused-reason"') - 600 : html.index('id="id_accused-reason"') + 600]
    assert "更改被反映单位须说明理由。" in reason_field
    assert 'value="440105"' in html
    letter.refresh_from_db()
    assert letter.accused_unit is None


def test_the_return_form_is_not_offered_once_the_return_window_has_passed(
    console_client: SignIn, letter: Letter, handler: User
) -> None:
    """The page offered it and the service refused it: the window is one rule now (access.GUARDS)."""
    assert letter.return_due is not None
    with at(letter.return_due + dt.timedelta(days=1)):
        offered = form_actions(console_client(handler).get(page_url(letter)))
    assert "return_misrouted" not in offered
    assert "start_handling" in offered
