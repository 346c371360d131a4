"""Who is told of an explanation request and its answer, and that the accused side is told nothing of the letter."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import make_staff
from tests.explanations.conftest import ID_NUMBER, LETTER_TEXT, NAME, PHONE, QUESTIONS, Complaint, ask
from tests.factories import page_url, text_of
from tests.notifications.conftest import drain
from xinfang.accounts.models import Role, User
from xinfang.explanations import services
from xinfang.explanations.models import ExplanationRequest
from xinfang.notifications.models import Channel, Delivery, Kind, Notification, NotificationTemplate
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Unit
from xinfang.orgs.services import department_for

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
EXPLANATION_KINDS = (Kind.EXPLANATION_REQUESTED, Kind.EXPLANATION_ANSWERED)


def told(kind: str) -> set[User]:
    return {n.recipient for n in Notification.objects.filter(kind=kind).select_related("recipient") if n.recipient}


def with_email(user: User) -> User:
    user.email = f"{user.username}@police.example"
    user.save(update_fields=["email"])
    return user


def canaries(complaint: Complaint) -> list[str]:
    letter = complaint.letter
    return [
        NAME, PHONE, "138-0013-8000", ID_NUMBER, "体育西路", "zhangsan", letter.tracking_number, letter.subject,
        LETTER_TEXT, "户籍迁移", "李四", QUESTIONS, str(letter.public_id), letter.public_id.hex,
        complaint.query_code, "/console/letters/",
    ]  # fmt: skip


def test_the_accused_bureaus_leaders_and_only_they_are_told_of_a_request(
    complaint: Complaint, gz_handler: User, gz_inspection: Unit, leader: User, handler: User, tianhe: Unit,
    tianhe_chief: User, outsider: User, acceptor: User, citizen: User,
) -> None:  # fmt: skip
    department_leader = make_staff("tianhe-traffic-leader", department_for(tianhe, PoliceType.TRAFFIC), Role.LEADER)
    asking_leader = make_staff("gz-leader", gz_inspection, Role.LEADER)
    request = ask(complaint, gz_handler)
    drain()
    assert told(Kind.EXPLANATION_REQUESTED) == {leader, tianhe_chief, department_leader}
    for user in (handler, outsider, acceptor, citizen, gz_handler, asking_leader):
        assert user not in told(Kind.EXPLANATION_REQUESTED)
    for notification in Notification.objects.filter(kind=Kind.EXPLANATION_REQUESTED):
        assert notification.letter is None
        assert notification.source == f"explanation:{request.pk}"
        assert gz_inspection.name in notification.body and "2026-03-12" in notification.body


def test_the_request_notification_and_its_email_carry_nothing_of_the_letter(
    complaint: Complaint, gz_handler: User, leader: User
) -> None:
    with_email(leader)
    ask(complaint, gz_handler)
    drain()
    [notification] = Notification.objects.filter(kind=Kind.EXPLANATION_REQUESTED)
    assert notification.title == "请说明情况"
    assert "请于 2026-03-12 前答复" in notification.body
    [email] = [m for m in mail.outbox if m.to == [leader.email]]
    assert Delivery.objects.get(notification=notification).channel == Channel.EMAIL
    for text in (notification.title, notification.body, email.subject, email.body):
        for secret in canaries(complaint):
            assert secret not in text, secret


def test_an_administrators_wording_cannot_bring_the_tracking_number_to_the_accused_side(
    complaint: Complaint, gz_handler: User, leader: User
) -> None:
    NotificationTemplate.objects.create(
        kind=Kind.EXPLANATION_REQUESTED, language="zh-hans", title="信件{{ tracking_number }}",
        body="请说明信件 {{ tracking_number }}：{{ link }}",
    )  # fmt: skip
    ask(complaint, gz_handler)
    drain()
    notification = Notification.objects.get(kind=Kind.EXPLANATION_REQUESTED)
    assert complaint.letter.tracking_number not in notification.title + notification.body


def test_nothing_of_the_requests_extract_or_questions_reaches_the_notice_even_in_an_administrators_wording(
    complaint: Complaint, gz_handler: User, leader: User
) -> None:
    """The accused leaders' notice is built from the requesting unit and the due date only: canary
    words in the extract and questions (which pass the identifying check) appear in no notice,
    e-mail or SMS text, whatever variables an administrator's wording asks for."""
    with_email(leader)
    NotificationTemplate.objects.create(
        kind=Kind.EXPLANATION_REQUESTED, language="zh-hans",
        title="{{ questions }}{{ extract }}{{ request.questions }}",
        body="{{ unit }} {{ questions }} {{ extract }} {{ request }} {{ letter }} {{ letter.text }} {{ writer }}"
             " {{ name }} {{ phone }} {{ tracking_number }} {{ link }}",
    )  # fmt: skip
    extract, questions = "群众反映：摘录金丝雀甲乙丙。", "请说明：问题金丝雀丁戊己。"
    ask(complaint, gz_handler, extract=extract, questions=questions)
    drain()
    [notification] = Notification.objects.filter(kind=Kind.EXPLANATION_REQUESTED)
    texts = [notification.title, notification.body]
    texts += Delivery.objects.filter(notification=notification).values_list("text", flat=True)
    texts += [m.subject + m.body for m in mail.outbox if m.to == [leader.email]]
    assert len(texts) == 4  # the notice, its e-mail delivery and the e-mail sent
    for text in texts:
        for secret in ["摘录金丝雀", "问题金丝雀", extract, questions, *canaries(complaint)]:
            assert secret not in text, secret


def test_the_inbox_entry_opens_the_request_page_for_the_leader_and_shows_nothing_of_the_letter(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User
) -> None:
    request = ask(complaint, gz_handler)
    drain()
    notification = Notification.objects.get(recipient=leader, kind=Kind.EXPLANATION_REQUESTED)
    client = console_client(leader)
    inbox = client.get(reverse("notifications:inbox"))
    opened = client.get(reverse("notifications:open", args=[notification.public_id]))
    request_page = reverse("console:explanations:detail", args=[request.public_id])
    assert opened.status_code == 200 and f'href="{request_page}"' in opened.content.decode()
    for response in (inbox, opened):
        for secret in canaries(complaint):
            if secret not in (QUESTIONS, "户籍迁移", "李四"):  # the request page itself shows these
                assert secret not in response.content.decode(), secret
    page = client.get(request_page)
    assert page.status_code == 200 and QUESTIONS in text_of(page)


def test_a_withdrawn_request_leaves_the_notification_without_a_link(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User
) -> None:
    request = ask(complaint, gz_handler)
    drain()
    services.explanation_withdraw(request=request, actor=gz_handler)
    notification = Notification.objects.get(recipient=leader, kind=Kind.EXPLANATION_REQUESTED)
    opened = console_client(leader).get(reverse("notifications:open", args=[notification.public_id]))
    assert opened.status_code == 200
    assert "/console/explanations/" not in opened.content.decode()


def test_the_asker_is_told_of_the_answer_with_the_letter_named(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User, tianhe_chief: User
) -> None:
    request = ask(complaint, gz_handler)
    drain()
    services.explanation_respond(request=request, response="经核查，民警已于3月1日办结。", actor=leader)
    drain()
    assert told(Kind.EXPLANATION_ANSWERED) == {gz_handler}
    notification = Notification.objects.get(kind=Kind.EXPLANATION_ANSWERED)
    assert notification.letter == complaint.letter
    assert notification.source == f"explanation_answer:{request.pk}"
    assert complaint.letter.tracking_number in notification.body
    opened = console_client(gz_handler).get(reverse("notifications:open", args=[notification.public_id]))
    assert f'href="{page_url(complaint.letter)}"' in opened.content.decode()
    assert Notification.objects.filter(kind=Kind.EXPLANATION_REQUESTED).count() == 2  # nobody told twice


def test_a_rolled_back_request_notifies_nobody(complaint: Complaint, gz_handler: User) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        ask(complaint, gz_handler)
        raise RuntimeError("the surrounding work failed")
    drain()
    assert not ExplanationRequest.objects.exists()
    assert not Notification.objects.filter(kind__in=EXPLANATION_KINDS).exists()
