from __future__ import annotations

import pytest

from tests.conftest import make_staff
from xinfang.accounts.models import Role, User
from xinfang.letters.choices import Channel, LetterType
from xinfang.letters.models import Letter
from xinfang.letters.services import Submission, letter_submit
from xinfang.orgs.models import Mailbox, Unit


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
