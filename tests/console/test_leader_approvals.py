"""The leader's approvals inbox, important letters and instructions (批示)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import at, handled_letter, page_url, post_action, text_of
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import Extension, Instruction, Letter, LetterState
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
S = LetterState
INBOX = "/console/approvals/"


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User) -> Letter:
    return handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)


def test_the_inbox_lists_reply_drafts_and_pending_extensions_of_the_unit(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    leader: User,
) -> None:  # fmt: skip
    drafted = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    s.letter_draft_reply(letter=drafted, actor=handler, text="答复稿正文")
    extending = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    s.letter_request_extension(letter=extending, actor=handler, days=12, reason="需要走访证人")
    quiet = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    page = text_of(console_client(leader).get(INBOX))
    assert drafted.tracking_number in page and "答复稿正文" in page
    assert extending.tracking_number in page and "需要走访证人" in page and "12" in page
    assert quiet.tracking_number not in page


def test_approving_an_extension_from_the_inbox_moves_the_reply_date_and_returns_to_the_inbox(
    console_client: SignIn, letter: Letter, handler: User, leader: User
) -> None:
    s.letter_request_extension(letter=letter, actor=handler, days=15, reason="需调取监控")
    before = letter.reply_due
    assert before is not None
    client = console_client(leader)
    response = post_action(client, letter, "decide_extension", {"decision": "approve", "note": ""}, next=INBOX)
    assert response.status_code == 302 and response["Location"] == INBOX
    letter.refresh_from_db()
    assert letter.reply_due is not None and letter.reply_due > before
    assert Extension.objects.get(letter=letter).status == Extension.Status.APPROVED
    assert letter.tracking_number not in text_of(client.get(INBOX))


def test_refusing_an_extension_needs_a_reason_next_to_the_field(
    console_client: SignIn, letter: Letter, handler: User, leader: User
) -> None:
    s.letter_request_extension(letter=letter, actor=handler, days=15, reason="需调取监控")
    client = console_client(leader)
    response = post_action(client, letter, "decide_extension", {"decision": "refuse", "note": ""}, next=INBOX)
    assert response.status_code == 200 and "不批准延期时请说明理由" in text_of(response)
    post_action(client, letter, "decide_extension", {"decision": "refuse", "note": "材料已齐全"}, next=INBOX)
    extension = Extension.objects.get(letter=letter)
    assert extension.status == Extension.Status.REFUSED and extension.decision_note == "材料已齐全"


def test_rejecting_a_draft_needs_a_reason_and_sends_it_back(
    console_client: SignIn, letter: Letter, handler: User, leader: User
) -> None:
    s.letter_draft_reply(letter=letter, actor=handler, text="初稿")
    client = console_client(leader)
    assert post_action(client, letter, "reject_reply", {"note": ""}, next=INBOX).status_code == 200
    post_action(client, letter, "reject_reply", {"note": "请补充调查经过"}, next=INBOX)
    letter.refresh_from_db()
    assert letter.state == S.IN_HANDLING
    assert letter.events.filter(action="reject_reply", reason="请补充调查经过").exists()


def test_approving_a_draft_from_the_inbox_replies_with_it_unchanged(
    console_client: SignIn, letter: Letter, handler: User, leader: User
) -> None:
    s.letter_draft_reply(letter=letter, actor=handler, text="经查，已整改。")
    post_action(console_client(leader), letter, "approve_reply", {"text": ""}, next=INBOX)
    letter.refresh_from_db()
    assert letter.state == S.REPLIED and letter.reply_text == "经查，已整改。"


def test_the_leader_may_edit_the_draft_on_the_letter_page_when_approving(
    console_client: SignIn, letter: Letter, handler: User, leader: User
) -> None:
    s.letter_draft_reply(letter=letter, actor=handler, text="经查，已整改。")
    client = console_client(leader)
    assert "经查，已整改。" in client.get(page_url(letter)).content.decode()  # the draft is in the form
    post_action(client, letter, "approve_reply", {"text": "经查，已整改，并向您致歉。"})
    letter.refresh_from_db()
    assert letter.reply_text == "经查，已整改，并向您致歉。"


def test_an_instruction_written_by_the_leader_appears_on_the_handlers_page_and_is_answered(
    console_client: SignIn, letter: Letter, handler: User, leader: User
) -> None:
    due = timezone.localdate() + dt.timedelta(days=7)
    response = console_client(leader).post(
        f"{page_url(letter)}do/instruction/", {"instruction-text": "请于一周内核实并报告", "instruction-due": due}
    )
    assert response.status_code == 302
    handler_client = console_client(handler)
    page = handler_client.get(page_url(letter)).content.decode()
    assert "请于一周内核实并报告" in page and due.isoformat() in page
    instruction = Instruction.objects.get(letter=letter)
    handler_client.post(
        f"{page_url(letter)}do/respond_instruction/",
        {"target": instruction.pk, f"respond_instruction-{instruction.pk}-text": "已核实，情况属实"},
    )
    instruction.refresh_from_db()
    assert instruction.response == "已核实，情况属实" and instruction.responded_by == handler
    assert "已核实，情况属实" in text_of(console_client(leader).get(page_url(letter)))


def test_an_instruction_due_in_the_past_is_refused_next_to_the_date(
    console_client: SignIn, letter: Letter, leader: User
) -> None:
    response = console_client(leader).post(
        f"{page_url(letter)}do/instruction/", {"instruction-text": "请核实", "instruction-due": "2020-01-01"}
    )
    assert response.status_code == 200 and "期限不能早于今天" in text_of(response)
    assert not Instruction.objects.exists()


def test_a_handler_may_not_write_instructions(console_client: SignIn, letter: Letter, handler: User) -> None:
    response = console_client(handler).post(f"{page_url(letter)}do/instruction/", {"instruction-text": "自己批示"})
    assert response.status_code == 403 and not Instruction.objects.exists()


def test_important_letters_are_those_overdue_supervised_or_returned(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    leader: User,
) -> None:  # fmt: skip
    with at(dt.date(2026, 3, 2)):
        late = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    with at(dt.date(2026, 4, 20)):
        fresh = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    assert late.current_due is not None
    with at(late.current_due + dt.timedelta(days=1)):
        page = text_of(console_client(leader).get("/console/important/"))
    assert late.tracking_number in page and fresh.tracking_number not in page


def test_only_leaders_open_the_inbox_and_important_letters(console_client: SignIn, handler: User) -> None:
    client = console_client(handler)
    assert client.get(INBOX).status_code == 403
    assert client.get("/console/important/").status_code == 403


def test_an_outsider_leader_sees_nothing_of_ours(
    console_client: SignIn, letter: Letter, handler: User, outsider: User
) -> None:
    s.letter_draft_reply(letter=letter, actor=handler, text="答复稿")
    assert letter.tracking_number not in text_of(console_client(outsider).get(INBOX))


def test_the_inbox_reads_the_same_number_of_queries_however_many_letters_wait(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, shenzhen: Unit,
    handler: User, leader: User,
) -> None:  # fmt: skip
    """Each waiting letter accuses a unit and half have an extension to decide: neither adds a query per row."""
    client = console_client(leader)

    def add_waiting(count: int) -> None:
        for number in range(count):
            waiting = handled_letter(
                citizen, gd_mailbox, acceptor, tianhe, handler, accused_unit=shenzhen, reason="就近办理"
            )
            if number % 2:
                s.letter_request_extension(letter=waiting, actor=handler, days=10, reason="需要走访证人")
            else:
                s.letter_draft_reply(letter=waiting, actor=handler, text="答复稿正文")

    add_waiting(2)
    client.get(INBOX)  # the process's copies of the unit tree and the like are read once
    with CaptureQueriesContext(connection) as few:
        assert client.get(INBOX).status_code == 200
    add_waiting(6)
    with CaptureQueriesContext(connection) as many:
        page = text_of(client.get(INBOX))
    assert page.count("需要走访证人") == 4 and page.count("答复稿正文") == 4
    assert len(many) == len(few), "\n".join(q["sql"][-200:] for q in many.captured_queries)
