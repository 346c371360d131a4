"""Delivery rules: SMS through the HTTP gateway with retries and one idempotency key, e-mail through
a real SMTP server, throttling per recipient of the messages typed at will (never of a step of the
procedure), and a final failure that administrators see."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test import Client, override_settings
from django.utils import timezone

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.letters.conftest import decide_accused, submit
from tests.notifications.conftest import Gateway, drain
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import Message
from xinfang.letters.services.messages import message_post
from xinfang.notifications import sms
from xinfang.notifications.models import Channel, Delivery, Kind
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db
D = Delivery.Status


def the_sms() -> Delivery:
    return Delivery.objects.get(channel=Channel.SMS)


@pytest.fixture
def http_sms(gateway: Gateway) -> Iterator[Gateway]:
    with override_settings(
        SMS_BACKEND="http", SMS_GATEWAY_URL=gateway.url, SMS_GATEWAY_KEY="secret-key", SMS_GATEWAY_TIMEOUT=0.5
    ):
        yield gateway


def test_sms_is_retried_on_500_and_time_out_with_one_idempotency_key_and_stops_at_success(
    http_sms: Gateway, citizen: User, gd_mailbox: Mailbox
) -> None:
    http_sms.script = ["500", "hang", "ok"]
    submit(citizen, gd_mailbox)
    drain()
    first_failure = timezone.now()
    assert (the_sms().status, the_sms().attempts) == (D.PENDING, 1)
    with time_machine.travel(first_failure + dt.timedelta(seconds=5)):
        drain()  # the back-off (30 s after the first try) has not passed: nothing is sent
    assert len(http_sms.requests) == 1
    assert the_sms().next_attempt_at - first_failure <= dt.timedelta(seconds=30)
    second_try = the_sms().next_attempt_at + dt.timedelta(seconds=1)
    with time_machine.travel(second_try):
        drain()  # times out
    assert (the_sms().status, the_sms().attempts) == (D.PENDING, 2)
    assert the_sms().next_attempt_at - second_try >= dt.timedelta(seconds=59)  # twice the first back-off
    with time_machine.travel(the_sms().next_attempt_at + dt.timedelta(seconds=1)):
        drain()
    with time_machine.travel(first_failure + dt.timedelta(days=1)):
        drain()
    delivery = the_sms()
    assert (delivery.status, delivery.attempts) == (D.SENT, 3)
    assert http_sms.keys() == [str(delivery.idempotency_key)] * 3
    assert {r["auth"] for r in http_sms.requests} == {"Bearer secret-key"}
    assert {r["to"] for r in http_sms.requests} == {"13800138000"}


@override_settings(NOTIFICATIONS_MAX_ATTEMPTS=3)
def test_a_failed_sms_ends_failed_shows_in_the_admin_and_can_be_sent_again(
    http_sms: Gateway, citizen: User, gd_mailbox: Mailbox, client: Client
) -> None:
    # An administrator of the mailbox's front desk: the admin shows the deliveries of the letters their unit sees.
    administrator = make_staff("gd-admin", gd_mailbox.owner, Role.ADMINISTRATOR)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save(update_fields=["is_staff", "is_superuser"])
    admin_client = sign_in(client, administrator)
    http_sms.script = ["500", "500", "500", "ok"]
    start = timezone.now()
    submit(citizen, gd_mailbox)
    for minutes in (0, 1, 3, 10):
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            drain()
    assert (the_sms().status, the_sms().attempts) == (D.FAILED, 3)
    assert "500" in the_sms().last_error
    page = admin_client.get("/admin/notifications/delivery/?status__exact=failed")
    assert page.status_code == 200
    assert "gateway answered 500" in page.content.decode()
    admin_client.post("/admin/notifications/delivery/", {"action": "retry_failed", "_selected_action": [the_sms().pk]})
    drain()
    assert the_sms().status == D.SENT
    assert len(set(http_sms.keys())) == 1


def test_a_refusal_by_the_gateway_is_final_at_once(http_sms: Gateway, citizen: User, gd_mailbox: Mailbox) -> None:
    http_sms.script = ["400"]
    submit(citizen, gd_mailbox)
    drain()
    assert (the_sms().status, the_sms().attempts) == (D.FAILED, 1)


@override_settings(NOTIFICATIONS_THROTTLE={"sms": (2, 3600), "email": (0, 0)})
def test_the_steps_of_a_letter_reach_the_writer_at_once_whatever_the_per_hour_limit(
    citizen: User, acceptor: User, handler: User, leader: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    letter = submit(citizen, gd_mailbox).letter
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe, reason="测试")
    s.letter_start_handling(letter=letter, actor=handler)
    s.letter_draft_reply(letter=letter, actor=handler, text="经核查，已整改。")
    s.letter_approve_reply(letter=letter, actor=leader)
    drain()
    texts = [m.text for m in sms.outbox]
    assert len(texts) == 4, texts  # received, accepted, transferred, replied: the limit of two did not hold one back
    assert "已答复" in texts[-1]
    assert not Delivery.objects.filter(channel=Channel.SMS, status=D.PENDING).exists()


@override_settings(NOTIFICATIONS_THROTTLE={"sms": (2, 3600), "email": (0, 0)})
def test_messages_typed_to_one_person_are_throttled_and_the_rest_wait_for_the_window(
    citizen: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    start = timezone.now()
    letter = submit(citizen, gd_mailbox).letter
    for text in ("第一条留言", "第二条留言", "第三条留言"):
        message_post(letter=letter, actor=acceptor, kind=Message.Kind.TO_CITIZEN, text=text)
    drain()
    assert len(sms.outbox) == 3  # the receipt, and two of the three messages
    waiting = Delivery.objects.get(channel=Channel.SMS, status=D.PENDING)
    assert waiting.attempts == 0 and waiting.notification.kind == Kind.MESSAGE
    assert waiting.next_attempt_at >= start + dt.timedelta(hours=1)
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1)):
        drain()
    assert len(sms.outbox) == 4
    assert "留言" in sms.outbox[-1].text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port, EMAIL_USE_TLS=False, EMAIL_TIMEOUT=5,
        ):  # fmt: skip
            yield inbox
    finally:
        controller.stop()


def test_email_arrives_through_a_real_smtp_server_in_each_recipients_language(
    smtp_server: Inbox, citizen: User, acceptor: User, english_handler: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    citizen.email = "zhangsan@example.cn"
    citizen.save(update_fields=["email"])
    letter = submit(citizen, gd_mailbox).letter
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe, reason="测试")
    drain()
    by_recipient: dict[str, list[Any]] = {m["To"]: [] for m in smtp_server.messages}
    for message in smtp_server.messages:
        by_recipient[message["To"]].append(message)
    [to_handler] = by_recipient["handler-en@tianhe.example"]
    assert to_handler["Subject"] == "Letter assigned to your unit"
    assert to_handler["Content-Language"] == "en"
    body = to_handler.get_content()
    assert f"Letter {letter.tracking_number} has been assigned to your unit" in body
    subjects = [m["Subject"] for m in by_recipient["zhangsan@example.cn"]]
    assert subjects == ["信件已收到", "信件已受理", "信件已转办"]
    accepted = by_recipient["zhangsan@example.cn"][1]
    assert accepted["Content-Language"] == "zh-Hans"
    assert f"您的信件 {letter.tracking_number} 已受理" in accepted.get_content()
    delivery = Delivery.objects.get(channel=Channel.EMAIL, notification__recipient=english_handler)
    assert to_handler["Message-ID"] == f"<{delivery.idempotency_key}@localhost>"
    assert delivery.status == D.SENT
