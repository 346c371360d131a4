"""A complaint against the Tianhe branch, handled above it by Guangzhou's inspection department.

The handler asking for an explanation works there; ``leader`` (Tianhe) is the accused bureau's
leader who answers; ``handler`` (Tianhe) is accused-side staff without the answering role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import handled_letter
from xinfang.accounts.models import Role, User
from xinfang.analysis.identifying import redact
from xinfang.explanations import services
from xinfang.explanations.models import ExplanationRequest
from xinfang.letters import services as letter_services
from xinfang.letters.models import Letter
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for

TZ = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.date(2026, 3, 2)
NAME, PHONE, ID_NUMBER = "张三", "13800138000", "11010519491231002X"  # the cast's citizen (tests/conftest.py)
LETTER_TEXT = (
    "本人张三（电话 138-0013-8000，身份证 11010519491231002X），家住广州市天河区体育西路1号。"
    "2026年2月20日我到天河区某派出所办理户籍迁移，民警李四（警号 123456）多次推诿，至今未办。"
    "我的车牌粤A12345，邮箱 zhangsan@example.com，微信号：zhangsan_88。"
)
QUESTIONS = "请说明民警李四办理该户籍迁移的经过，以及未办结的原因。"


@dataclass(frozen=True)
class Complaint:
    letter: Letter
    query_code: str


@pytest.fixture
def console_client() -> Callable[[User], Client]:
    """As in tests/console: a new client signed in as the user, second factor verified."""
    return lambda user: sign_in(Client(), user)


@pytest.fixture
def on_received_day() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def gz_inspection(guangzhou: Unit) -> Unit:
    return department_for(guangzhou, PoliceType.INSPECTION)


@pytest.fixture
def gz_handler(gz_inspection: Unit) -> User:
    return make_staff("gz-handler", gz_inspection, Role.HANDLER)


@pytest.fixture
def tianhe_chief(tianhe: Unit) -> User:
    """Accused-side staff with every role: may open every console list there is."""
    return make_staff("tianhe-chief", tianhe, Role.LEADER, Role.HANDLER, Role.ACCEPTOR, Role.INSPECTOR)


@pytest.fixture
def complaint(
    on_received_day: None, citizen: User, gd_mailbox: Mailbox, acceptor: User, gz_inspection: Unit, gz_handler: User,
    tianhe: Unit,
) -> Complaint:  # fmt: skip
    letter = handled_letter(
        citizen, gd_mailbox, acceptor, gz_inspection, gz_handler,
        text=LETTER_TEXT, accused_unit=tianhe, accused_officer_name="李四", accused_badge_number="123456",
    )  # fmt: skip
    return Complaint(letter, _query_code_of(letter))


def _query_code_of(letter: Letter) -> str:
    """Submissions show the query code once; tests that need it set a known one."""
    code = "ABCD-EFGH-JKMN-PQRS"
    Letter.objects.filter(pk=letter.pk).update(query_code_hash=letter_services.hash_query_code(code))
    letter.refresh_from_db()
    return code


def ask(complaint: Complaint, actor: User, **fields: object) -> ExplanationRequest:
    """A request with the redacted text as extract, due in ten days."""
    letter = complaint.letter
    values: dict[str, object] = {
        "extract": redact(letter.text, letter=letter),
        "questions": QUESTIONS,
        "due_on": RECEIVED + dt.timedelta(days=10),
    }
    values.update(fields)
    return services.explanation_request_create(letter=letter, actor=actor, **values)  # type: ignore[arg-type]
