"""Who hears of what as letters move: the writer, the front desk, handlers, leaders, inspectors."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from tests.letters.conftest import decide_accused, submit
from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import Letter, Message
from xinfang.letters.sweeps import sweep_deadlines
from xinfang.notifications import sms
from xinfang.notifications.models import Channel, Delivery, Kind, Notification, NotificationTemplate
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db


def kinds(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def accepted_and_assigned(letter: Letter, acceptor: User, tianhe: Unit) -> Letter:
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    return s.letter_assign(letter=letter, actor=acceptor, unit=tianhe, reason="测试指定")


def test_a_new_letter_tells_the_writer_by_sms_and_inbox_and_the_front_desk(
    citizen: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    letter = submit(citizen, gd_mailbox).letter
    drain()
    assert kinds(citizen) == [Kind.RECEIPT]
    assert kinds(acceptor) == [Kind.NEW_LETTER]
    receipt = Notification.objects.get(recipient=citizen)
    assert letter.tracking_number in receipt.body
    [text] = sms.outbox
    assert text.number == "13800138000"
    assert letter.tracking_number in text.text
    assert "/inbox/" in text.text


def test_an_sms_carries_neither_identity_nor_letter_text(citizen: User, handler: User, acceptor: User,
                                                        gd_mailbox: Mailbox, tianhe: Unit) -> None:  # fmt: skip
    letter = accepted_and_assigned(submit(citizen, gd_mailbox).letter, acceptor, tianhe)
    s.message_post(letter=letter, actor=handler, kind=Message.Kind.TO_CITIZEN, text="请提供办理回执的照片")
    drain()
    assert [m.text for m in sms.outbox if "新留言" in m.text]
    message_inbox = Notification.objects.get(recipient=citizen, kind=Kind.MESSAGE)
    assert "请提供办理回执的照片" in message_inbox.body  # the inbox, behind the sign-in, has it
    for sent in sms.outbox:
        for secret in ("张三", "11010519491231002X", "体育西路", letter.subject, letter.text, "回执"):
            assert secret not in sent.text


def test_a_rolled_back_state_change_leaves_no_task_and_no_notification(
    citizen: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    letter = submit(citizen, gd_mailbox).letter
    drain()
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        s.letter_accept(letter=letter, actor=acceptor)
        raise RuntimeError("the request failed after the change")
    assert DBTaskResult.objects.count() == tasks_before
    drain()
    assert Kind.ACCEPTED not in kinds(citizen)
    letter.refresh_from_db()
    assert letter.state == "received"


def test_the_writer_is_told_in_their_own_language(english_citizen: User, acceptor: User, gd_mailbox: Mailbox) -> None:
    letter = submit(english_citizen, gd_mailbox).letter
    s.letter_accept(letter=letter, actor=acceptor)
    drain()
    accepted = Notification.objects.get(recipient=english_citizen, kind=Kind.ACCEPTED)
    assert accepted.title == "Letter accepted"
    assert accepted.language == "en"
    assert any(m.text.startswith("[Letters to the Police]") and letter.tracking_number in m.text for m in sms.outbox)
    assert Notification.objects.get(recipient=acceptor).title == "新信件待受理"


def test_the_writer_is_not_told_of_the_steps_they_took(citizen: User, acceptor: User, gd_mailbox: Mailbox) -> None:
    letter = submit(citizen, gd_mailbox).letter
    s.letter_request_info(letter=letter, actor=acceptor, reason="请提供事发时间")
    s.letter_supply_info(letter=letter, actor=citizen, text="上月十五日上午")
    drain()
    assert kinds(citizen) == [Kind.RECEIPT, Kind.INFO_REQUESTED]
    assert kinds(acceptor) == [Kind.NEW_LETTER, Kind.INFO_SUPPLIED]
    assert "请提供事发时间" in Notification.objects.get(kind=Kind.INFO_REQUESTED).body


def test_handlers_hear_of_assignments_and_leaders_of_approvals(
    citizen: User, acceptor: User, handler: User, leader: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    letter = accepted_and_assigned(submit(citizen, gd_mailbox).letter, acceptor, tianhe)
    s.letter_start_handling(letter=letter, actor=handler)
    s.letter_request_extension(letter=letter, actor=handler, days=20, reason="需要调取监控录像")
    drain()
    assert kinds(handler) == [Kind.ASSIGNED]
    assert kinds(leader) == [Kind.APPROVE_EXTENSION]
    s.letter_decide_extension(letter=letter, actor=leader, approve=True)
    s.letter_draft_reply(letter=letter, actor=handler, text="经调查，情况属实，已责令整改。")
    drain()
    assert kinds(leader) == [Kind.APPROVE_EXTENSION, Kind.APPROVE_REPLY]
    assert kinds(handler) == [Kind.ASSIGNED, Kind.EXTENSION_DECIDED]
    extended = Notification.objects.get(recipient=citizen, kind=Kind.EXTENDED)
    letter.refresh_from_db()
    assert letter.reply_due is not None
    assert letter.reply_due.isoformat() in extended.body
    assert "需要调取监控录像" in extended.body
    assert Kind.TRANSFERRED in kinds(citizen)


def test_a_leaders_instruction_lands_with_the_handlers(
    citizen: User, acceptor: User, handler: User, leader: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    letter = accepted_and_assigned(submit(citizen, gd_mailbox).letter, acceptor, tianhe)
    s.instruction_create(letter=letter, actor=leader, text="请认真核查，依法答复。")
    drain()
    instruction = Notification.objects.get(recipient=handler, kind=Kind.INSTRUCTION)
    assert "请认真核查" in instruction.body
    assert Kind.INSTRUCTION not in kinds(leader)


def test_due_soon_and_overdue_reach_the_handlers_and_the_inspector_follows_up(
    citizen: User, acceptor: User, handler: User, inspector: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    letter = accepted_and_assigned(submit(citizen, gd_mailbox).letter, acceptor, tianhe)
    s.letter_start_handling(letter=letter, actor=handler)
    letter.refresh_from_db()
    assert letter.current_due is not None
    with time_machine.travel(dt.datetime.combine(letter.current_due, dt.time(9), tzinfo=dt.UTC) - dt.timedelta(days=1)):
        sweep_deadlines()
        drain()
    assert Kind.DUE_SOON in kinds(handler)
    with time_machine.travel(dt.datetime.combine(letter.current_due, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(days=2)):
        sweep_deadlines()
        drain()
    assert Kind.OVERDUE in kinds(handler)
    assert Kind.SUPERVISION in kinds(handler)
    assert kinds(inspector) == [Kind.SUPERVISION_RAISED]
    assert Kind.DUE_SOON not in kinds(citizen)  # internal marks are not the citizen's business


def test_an_outsider_hears_nothing_of_another_units_letters(
    citizen: User, acceptor: User, outsider: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    accepted_and_assigned(submit(citizen, gd_mailbox).letter, acceptor, tianhe)
    drain()
    assert kinds(outsider) == []


def test_an_administrators_wording_replaces_the_default(citizen: User, acceptor: User, gd_mailbox: Mailbox) -> None:
    NotificationTemplate.objects.create(
        kind=Kind.ACCEPTED, language="zh-hans", title="受理通知", body="{{ tracking_number }} 已受理，请耐心等待。",
        sms="【天河】{{ tracking_number }} 已受理",
    )  # fmt: skip
    letter = submit(citizen, gd_mailbox).letter
    s.letter_accept(letter=letter, actor=acceptor)
    drain()
    accepted = Notification.objects.get(recipient=citizen, kind=Kind.ACCEPTED)
    assert (accepted.title, accepted.body) == ("受理通知", f"{letter.tracking_number} 已受理，请耐心等待。")
    assert f"【天河】{letter.tracking_number} 已受理" in [m.text for m in sms.outbox]


def test_each_cause_notifies_each_recipient_once_even_when_run_twice(
    citizen: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    from xinfang.notifications.services import notify_about

    letter = submit(citizen, gd_mailbox).letter
    drain()
    event = letter.events.get()
    assert notify_about(source=f"event:{event.pk}") == 0
    drain()
    assert Notification.objects.count() == 2
    assert Delivery.objects.filter(channel=Channel.SMS).count() == 1
    assert len(sms.outbox) == 1
