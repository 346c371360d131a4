"""Statistics fixtures: a small month of letters through the real services, and the rollups counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.conftest import make_staff
from tests.factories import at, handled_letter, receive
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import Letter, Rating, RefusalReason
from xinfang.orgs.models import Mailbox, Unit

MONTH = dt.date(2026, 3, 1)
D0 = dt.date(2026, 3, 2)  # a Monday


@dataclass
class Month:
    replied: Letter
    refused: Letter
    open: Letter


@pytest.fixture
def march(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User) -> Month:
    return make_march(citizen, gd_mailbox, acceptor, tianhe, handler, leader)


def make_march(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User) -> Month:
    """Three letters at the Guangdong mailbox in March 2026: one accepted on receipt, handled in Tianhe,
    replied five days after receipt and rated satisfied; one refused the next day; one still waiting."""
    with at(D0):
        replied = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    with at(D0 + dt.timedelta(days=1)):
        refused = receive(citizen, gd_mailbox)
        s.letter_refuse(letter=refused, actor=acceptor, reason=RefusalReason.NOT_POLICE)
    with at(D0 + dt.timedelta(days=5)):
        s.letter_draft_reply(letter=replied, actor=handler, text="经核查，已为您办理。")
        s.letter_approve_reply(letter=replied, actor=leader)
    with at(D0 + dt.timedelta(days=6)):
        s.letter_evaluate(letter=replied, actor=citizen, rating=Rating.SATISFIED)
    with at(D0 + dt.timedelta(days=3)):
        waiting = receive(citizen, gd_mailbox)
    return Month(replied, refused, waiting)


@pytest.fixture
def gd_analyst(guangdong: Unit) -> User:
    return make_staff("gd-analyst", guangdong, Role.ANALYST)


@pytest.fixture
def sz_analyst(shenzhen: Unit) -> User:
    return make_staff("sz-analyst", shenzhen, Role.ANALYST)
