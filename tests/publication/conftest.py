"""The cast of the publication tests: a writer who consented, a publisher and a leader at Tianhe
(the handling bureau), and a replied letter holding the writer's name, phone and address."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import ConsoleClient, handled_letter
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType

SUBJECT = "建议延长户籍窗口办理时间"
TEXT = "我是张三，电话13800138000，住在广州市天河区体育西路1号。建议天河区户籍窗口周末也开放办理。"
REPLY = "经研究，自下月起户籍窗口周六上午开放。感谢张三同志的建议。"


def replied_letter(
    citizen: User, mailbox: Mailbox, acceptor: User, unit: Unit, handler: User, leader: User, **extra: object
) -> Letter:
    """A suggestion received, transferred to ``unit``, handled and replied with the leader's approval."""
    fields: dict[str, object] = {"subject": SUBJECT, "text": TEXT, "consent_to_publish": True}
    fields.update(extra)
    letter = handled_letter(citizen, mailbox, acceptor, unit, handler, letter_type=LetterType.SUGGESTION, **fields)
    s.letter_draft_reply(letter=letter, actor=handler, text=REPLY)
    s.letter_approve_reply(letter=letter, actor=leader)
    letter.refresh_from_db()
    return letter


@pytest.fixture
def publisher(tianhe: Unit) -> User:
    return make_staff("publisher", tianhe, Role.PUBLISHER)


@pytest.fixture
def replied(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User) -> Letter:
    return replied_letter(citizen, gd_mailbox, acceptor, tianhe, handler, leader)


@pytest.fixture
def console_client() -> ConsoleClient:
    """``console_client(user)``: a new client signed in as ``user`` with a verified second factor."""
    return lambda user: sign_in(Client(), user)
