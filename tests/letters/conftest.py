from __future__ import annotations

import pytest

from tests.conftest import make_staff
from xinfang.accounts.models import Role, User
from xinfang.letters.models import Letter
from xinfang.letters.services import Submission, accused_undecided, letter_set_accused, letter_submit
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel, LetterType


def submit(citizen: User, mailbox: Mailbox, *, letter_type: str = LetterType.COMPLAINT, **extra: object) -> Submission:
    fields: dict[str, object] = {
        "subject": "派出所民警办事拖延",
        "text": "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。",
        "division_code": "440106",
        "address": "广州市天河区天河路 1 号",
    }
    fields.update(extra)
    return letter_submit(
        mailbox=mailbox,
        actor=citizen,
        letter_type=letter_type,
        channel=Channel.WEB,
        **fields,  # type: ignore[arg-type]
    )


def decide_accused(letter: Letter, acceptor: User) -> Letter:
    """The front desk confirms whom a complaint or report accuses (the writer's answer), as it must
    before routing it; a letter already decided, or of another type, is left as it is."""
    if accused_undecided(letter):
        letter_set_accused(letter=letter, actor=acceptor, accused_unit=letter.accused_unit)
    return letter


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox) -> Letter:
    return submit(citizen, gd_mailbox).letter


@pytest.fixture
def gz_reviewer(guangzhou: Unit) -> User:
    """Staff of the superior of Tianhe: answers reviews of Tianhe's replies."""
    return make_staff("gz-reviewer", guangzhou, Role.HANDLER, Role.LEADER)


@pytest.fixture
def gd_reexaminer(guangdong: Unit) -> User:
    return make_staff("gd-reexaminer", guangdong, Role.HANDLER, Role.LEADER)
