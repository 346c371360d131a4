"""A report accusing the Ministry itself: nobody is above it, so its own discipline department
handles it end to end, and everyone else at the Ministry stays recused (issue 14 §2)."""

from __future__ import annotations

import pytest
from django.http import Http404

from tests.conftest import make_staff
from tests.letters.conftest import decide_accused
from xinfang.accounts.models import Role, User
from xinfang.letters import access
from xinfang.letters.models import Letter, LetterState
from xinfang.letters.services import (
    letter_accept,
    letter_approve_reply,
    letter_assign,
    letter_draft_reply,
    letter_start_handling,
    letter_submit,
)
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import Channel, LetterType


@pytest.fixture
def ministry(tree: None) -> Unit:
    return Unit.objects.get(code="MPS")


@pytest.fixture
def discipline(ministry: Unit) -> Unit:
    return department_for(ministry, "discipline")


@pytest.fixture
def report_on_the_ministry(citizen: User, ministry: Unit) -> Letter:
    submission = letter_submit(
        mailbox=Mailbox.objects.get(slug="12389"),
        actor=citizen,
        letter_type=LetterType.REPORT,
        channel=Channel.WEB,
        subject="举报公安部某司工作人员",
        text="公安部某司一名工作人员收受好处，为他人违规办理出入境证件。",
        accused_unit=department_for(ministry, "exit_entry"),
    )
    return submission.letter


def test_the_ministrys_discipline_department_receives_accepts_and_replies(
    report_on_the_ministry: Letter, discipline: Unit
) -> None:
    letter = report_on_the_ministry
    desk = make_staff("mps-discipline-desk", discipline, Role.ACCEPTOR)
    handler = make_staff("mps-discipline-handler", discipline, Role.HANDLER)
    leader = make_staff("mps-discipline-leader", discipline, Role.LEADER)

    assert access.letter_for(desk, letter.public_id) == letter
    proposal = propose_for_letter(letter)
    assert proposal.unit == discipline

    letter_accept(letter=letter, actor=desk)
    decide_accused(letter, desk)
    letter_assign(letter=letter, actor=desk, unit=proposal.unit)
    letter_start_handling(letter=letter, actor=handler)
    letter_draft_reply(letter=letter, actor=handler, text="经核查，反映的问题部分属实，已依纪依法处理。")
    letter_approve_reply(letter=letter, actor=leader)

    letter.refresh_from_db()
    assert letter.state == LetterState.REPLIED
    assert access.letter_for(handler, letter.public_id) == letter


def test_everyone_else_at_the_ministry_stays_recused(report_on_the_ministry: Letter, ministry: Unit) -> None:
    for where in (ministry, department_for(ministry, "exit_entry"), department_for(ministry, "inspection")):
        staff = make_staff(f"mps-{where.code}", where, Role.ACCEPTOR, Role.HANDLER, Role.LEADER)
        with pytest.raises(Http404):
            access.letter_for(staff, report_on_the_ministry.public_id)
        assert access.is_recused(staff, report_on_the_ministry)


def test_a_report_on_the_ministrys_discipline_department_goes_to_its_inspection_department(
    citizen: User, ministry: Unit, discipline: Unit
) -> None:
    letter = letter_submit(
        mailbox=Mailbox.objects.get(slug="12389"),
        actor=citizen,
        letter_type=LetterType.COMPLAINT,
        channel=Channel.WEB,
        subject="投诉公安部纪检部门",
        text="公安部纪检部门对我的举报长期不予答复。",
        accused_unit=discipline,
    ).letter
    inspection = department_for(ministry, "inspection")
    staff_of_discipline = make_staff("mps-discipline-2", discipline, Role.ACCEPTOR)
    staff_of_inspection = make_staff("mps-inspection-2", inspection, Role.ACCEPTOR)

    assert access.is_recused(staff_of_discipline, letter)
    assert not access.is_recused(staff_of_inspection, letter)
    assert access.letter_for(staff_of_inspection, letter.public_id) == letter
    with pytest.raises(Http404):
        access.letter_for(staff_of_discipline, letter.public_id)
