"""Who sees which action on the letter page, and that an action not offered is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import make_staff
from tests.factories import assigned_letter, form_actions, handled_letter, page_url, post_action
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import AssignmentMode, LetterState
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]


def test_an_assigned_letter_offers_its_handler_to_start_return_or_note_and_the_leader_to_instruct(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    leader: User, inspector: User,
) -> None:  # fmt: skip
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    assert form_actions(console_client(handler).get(page_url(letter))) == {
        "start_handling", "return_misrouted", "message", "note", "accused",
    }  # fmt: skip
    assert form_actions(console_client(leader).get(page_url(letter))) == {"instruction", "note", "accused"}
    assert form_actions(console_client(inspector).get(page_url(letter))) == {"supervise", "note"}


def test_in_handling_the_handler_may_draft_extend_and_write_to_the_citizen(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    assert form_actions(console_client(handler).get(page_url(letter))) == {
        "draft_reply", "request_extension", "message", "note", "accused",
    }  # fmt: skip


def test_report_back_is_offered_only_on_an_assigned_with_report_letter(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe, mode=AssignmentMode.ASSIGN)
    s.letter_start_handling(letter=letter, actor=handler)
    assert "report_back" in form_actions(console_client(handler).get(page_url(letter)))


def test_a_draft_offers_approve_and_reject_to_the_leader_only(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    leader: User,
) -> None:  # fmt: skip
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    s.letter_draft_reply(letter=letter, actor=handler, text="经查，情况属实。")
    leader_actions = form_actions(console_client(leader).get(page_url(letter)))
    assert {"approve_reply", "reject_reply"} <= leader_actions
    handler_actions = form_actions(console_client(handler).get(page_url(letter)))
    assert not {"approve_reply", "reject_reply", "draft_reply"} & handler_actions


def test_a_pending_extension_offers_the_decision_to_the_leader_and_no_second_request(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    leader: User,
) -> None:  # fmt: skip
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    s.letter_request_extension(letter=letter, actor=handler, days=15, reason="需调取监控")
    assert "decide_extension" in form_actions(console_client(leader).get(page_url(letter)))
    assert "request_extension" not in form_actions(console_client(handler).get(page_url(letter)))


def test_staff_without_the_role_see_no_state_actions(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    analyst = make_staff("analyst", tianhe, Role.ANALYST)
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    assert form_actions(console_client(analyst).get(page_url(letter))) == {"note"}


def test_an_action_not_offered_is_refused_with_403_and_changes_nothing(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    leader: User,
) -> None:  # fmt: skip
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    response = post_action(console_client(leader), letter, "draft_reply", {"text": "领导代拟"})
    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.state == LetterState.IN_HANDLING and letter.reply_text == ""


def test_an_unknown_action_is_404(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    assert console_client(handler).post(f"{page_url(letter)}do/delete/", {}).status_code == 404


def test_actions_are_post_only(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    assert console_client(handler).get(f"{page_url(letter)}do/start_handling/").status_code == 405
