"""Asking for, answering and withdrawing an explanation request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import make_staff
from tests.explanations.conftest import QUESTIONS, RECEIVED, Complaint, ask
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry
from xinfang.explanations import services
from xinfang.explanations.models import ExplanationRequest
from xinfang.letters.access import explanation_requests_for, may_request_explanation
from xinfang.letters.lifecycle import Conflict, LifecycleError
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db
Status = ExplanationRequest.Status


def test_the_handling_unit_asks_and_the_request_reaches_the_accused_bureau(
    complaint: Complaint, gz_handler: User, gz_inspection: Unit, tianhe: Unit, leader: User, outsider: User
) -> None:
    request = ask(complaint, gz_handler)
    assert request.status == Status.OPEN
    assert request.requesting_unit == gz_inspection and request.accused_bureau == tianhe
    assert list(explanation_requests_for(leader)) == [request]
    assert list(explanation_requests_for(outsider)) == []
    entry = AuditEntry.objects.get(subject_id=str(request.public_id))
    assert entry.data["action"] == "explanation_request" and entry.actor == gz_handler


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("信访人张三反映民警推诿。", "信访人姓名"),
        ("信访人（138 0013 8000）反映民警推诿。", "电话号码"),
        ("信访人（身份证11010519491231002X）反映民警推诿。", "身份证号"),
    ],
)
def test_it_refuses_an_extract_that_still_names_the_writer_and_saves_nothing(
    complaint: Complaint, gz_handler: User, typed: str, kind: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        ask(complaint, gz_handler, extract=typed)
    assert set(refused.value.message_dict) == {"extract"}
    assert kind in refused.value.message_dict["extract"][0]
    assert not ExplanationRequest.objects.exists()
    assert not AuditEntry.objects.filter(data__action="explanation_request").exists()


def test_it_refuses_an_extract_with_the_tracking_number_or_the_query_code(
    complaint: Complaint, gz_handler: User
) -> None:
    for typed in (f"见信件 {complaint.letter.tracking_number}", f"查询码 {complaint.query_code.replace('-', ' ')}"):
        with pytest.raises(ValidationError) as refused:
            ask(complaint, gz_handler, extract=typed)
        assert "extract" in refused.value.message_dict
    assert not ExplanationRequest.objects.exists()


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("请说明为何对张三的户籍迁移一再推诿。", "信访人姓名"),
        ("请联系来信人（手机 １３８ ００１３ ８０００）核实后说明。", "电话号码"),
        ("来信人身份证壹壹零壹零伍壹玖肆玖壹贰叁壹零零贰Ｘ，请核实其户籍。", "身份证号"),
        ("请说明与張 三约定的办理时间。", "信访人姓名"),
        ("请说明民警李四是否曾到体育西路一号上门。", "信访人住址"),
    ],
)
def test_it_refuses_questions_that_identify_the_writer_in_any_spelling_and_saves_nothing(
    complaint: Complaint, gz_handler: User, typed: str, kind: str
) -> None:
    """The accused bureau's leaders read the questions as they read the extract."""
    with pytest.raises(ValidationError) as refused:
        ask(complaint, gz_handler, questions=typed)
    assert set(refused.value.message_dict) == {"questions"}
    assert kind in refused.value.message_dict["questions"][0]
    assert not ExplanationRequest.objects.exists()
    assert not AuditEntry.objects.filter(data__action="explanation_request").exists()


def test_it_refuses_questions_with_the_tracking_number_and_an_extract_in_chinese_numerals(
    complaint: Complaint, gz_handler: User
) -> None:
    number = complaint.letter.tracking_number
    with pytest.raises(ValidationError) as refused:
        ask(
            complaint, gz_handler, questions=f"请就 {number} 号信件说明。", extract="来电号码：一三八零零一三八零零零。"
        )
    assert "信件编号" in refused.value.message_dict["questions"][0]
    assert "电话号码" in refused.value.message_dict["extract"][0]
    assert not ExplanationRequest.objects.exists()


def test_it_refuses_empty_questions_and_a_past_due_date(complaint: Complaint, gz_handler: User) -> None:
    with pytest.raises(ValidationError) as refused:
        ask(complaint, gz_handler, questions="  ", due_on=RECEIVED - dt.timedelta(days=1))
    assert set(refused.value.message_dict) == {"questions", "due_on"}


def test_only_the_unit_handling_an_open_letter_with_an_accused_unit_may_ask(
    complaint: Complaint, gz_handler: User, leader: User, outsider: User, acceptor: User, guangzhou: Unit
) -> None:
    letter = complaint.letter
    assert may_request_explanation(gz_handler, letter)
    for user in (leader, outsider, acceptor, make_staff("gz-inspector", guangzhou, Role.INSPECTOR)):
        assert not may_request_explanation(user, letter)
        with pytest.raises(LifecycleError):
            ask(complaint, user)
    letter.accused_unit = None
    assert not may_request_explanation(gz_handler, letter)


def test_a_second_leader_answering_a_stale_copy_gets_a_conflict_and_the_first_answer_stands(
    complaint: Complaint, gz_handler: User, leader: User, tianhe: Unit
) -> None:
    request = ask(complaint, gz_handler)
    other_leader = make_staff("tianhe-deputy", tianhe, Role.LEADER)
    first_copy = ExplanationRequest.objects.get(pk=request.pk)
    second_copy = ExplanationRequest.objects.get(pk=request.pk)
    services.explanation_respond(request=first_copy, response="经查，该户籍迁移材料不全。", actor=leader)
    with pytest.raises(Conflict, match="已经有人答复"):
        services.explanation_respond(request=second_copy, response="另一份说明", actor=other_leader)
    request.refresh_from_db()
    assert request.status == Status.ANSWERED
    assert request.response == "经查，该户籍迁移材料不全。" and request.responded_by == leader
    assert AuditEntry.objects.filter(data__action="explanation_respond").count() == 1


def test_only_leaders_of_the_accused_bureau_answer(
    complaint: Complaint, gz_handler: User, handler: User, outsider: User
) -> None:
    request = ask(complaint, gz_handler)
    for user in (handler, outsider, gz_handler):
        with pytest.raises(LifecycleError):
            services.explanation_respond(request=request, response="说明", actor=user)
    request.refresh_from_db()
    assert request.status == Status.OPEN


def test_the_asking_unit_withdraws_an_open_request_and_the_accused_side_no_longer_sees_it(
    complaint: Complaint, gz_handler: User, leader: User
) -> None:
    request = ask(complaint, gz_handler)
    with pytest.raises(LifecycleError):
        services.explanation_withdraw(request=request, actor=leader)
    services.explanation_withdraw(request=request, actor=gz_handler)
    assert request.status == Status.WITHDRAWN
    assert list(explanation_requests_for(leader)) == []
    with pytest.raises(Conflict):
        services.explanation_respond(request=request, response="说明", actor=leader)


def test_an_answered_request_cannot_be_withdrawn(complaint: Complaint, gz_handler: User, leader: User) -> None:
    request = ask(complaint, gz_handler, questions=QUESTIONS)
    services.explanation_respond(request=request, response="说明", actor=leader)
    with pytest.raises(Conflict):
        services.explanation_withdraw(request=request, actor=gz_handler)
