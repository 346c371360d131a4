"""Portal fixtures: a signed-in citizen's browser, a second citizen, letters set up through the services."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.conftest import DATABASE_FIXTURES, PASSWORD, make_staff
from tests.letters.conftest import decide_accused
from xinfang.accounts.models import Role, User
from xinfang.accounts.services import citizen_create
from xinfang.letters import services as s
from xinfang.letters.models import Letter
from xinfang.notifications import sms
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel, LetterType


@pytest.fixture(autouse=True)
def clean_slate(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[None]:
    """The SMS outbox is a module list; the cache is a database table that a transactional test's
    flush leaves alone (it is no model's), so it is emptied around every test that uses the database."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(request.fixturenames)
    )

    def clear() -> None:
        sms.outbox.clear()
        if uses_db:
            with django_db_blocker.unblock():
                cache.clear()

    clear()
    yield
    clear()


def last_code() -> str:
    match = re.search(r"\d{6}", sms.outbox[-1].text)
    assert match is not None
    return match.group(0)


@pytest.fixture
def citizen_client(citizen: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(citizen)
    return client


@pytest.fixture
def other_citizen(db: None) -> User:
    return citizen_create(
        real_name="王五",
        id_number="440106199001011235",
        phone="13912345678",
        password=PASSWORD,
        phone_verified_at=timezone.now(),
    )


def submit(citizen: User, mailbox: Mailbox, **extra: object) -> s.Submission:
    fields: dict[str, object] = {
        "letter_type": LetterType.COMPLAINT,
        "channel": Channel.WEB,
        "subject": "派出所民警办事拖延",
        "text": "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。",
        "division_code": "440106",
    }
    fields.update(extra)
    return s.letter_submit(mailbox=mailbox, actor=citizen, **fields)  # type: ignore[arg-type]


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox) -> Letter:
    return submit(citizen, gd_mailbox).letter


@pytest.fixture
def replied_letter(letter: Letter, acceptor: User, tianhe: Unit, handler: User, leader: User) -> Letter:
    """A letter answered by the Tianhe branch (through the services, as staff would)."""
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    s.letter_start_handling(letter=letter, actor=handler)
    s.letter_draft_reply(letter=letter, actor=handler, text="经调查，已责令该所限期办结并向您致歉。")
    s.letter_approve_reply(letter=letter, actor=leader)
    return letter


@pytest.fixture
def gz_reviewer(guangzhou: Unit) -> User:
    """Staff of the Guangzhou bureau, the superior of Tianhe: answers reviews of Tianhe's replies."""
    return make_staff("gz-reviewer", guangzhou, Role.HANDLER, Role.LEADER)
