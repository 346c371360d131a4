"""The demo outbox: where SMS and e-mail land in the demo, and the staff-only page that lists them
(newest first) so that a newcomer can read a sign-up code; no such page outside demo mode."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.test import Client, override_settings
from django.utils import timezone

from tests.console.conftest import sign_in
from xinfang.accounts.models import SmsCode, User
from xinfang.accounts.services import sms_code_send
from xinfang.notifications.sms import send_sms

pytestmark = pytest.mark.django_db
PAGE = "/console/demo/outbox/"


@pytest.fixture
def files(tmp_path: Path) -> Iterator[Path]:
    """The demo's back-ends: SMS and e-mail written to files, as ``make run`` has them."""
    with override_settings(
        SMS_BACKEND="file", SMS_FILE_DIR=tmp_path / "sms",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=tmp_path / "mail",
    ):  # fmt: skip
        yield tmp_path


def test_staff_read_a_sign_up_code_and_the_newest_message_comes_first(
    files: Path, acceptor: User, client: Client
) -> None:
    start = timezone.now()
    with time_machine.travel(start):
        EmailMessage(
            subject="新信件待受理", body="信件 GD-20261207-000001 已进入本单位受理队列", to=["a@gd.example"]
        ).send()
    with time_machine.travel(start + timezone.timedelta(minutes=1)):
        sms_code_send(phone="13912345678", purpose=SmsCode.Purpose.SIGN_UP, client_address="198.51.100.7")
    page = sign_in(client, acceptor).get(PAGE).content.decode()
    code = re.search(r"验证码 (\d{6})", page)
    assert code is not None and "13912345678" in page
    assert page.index("验证码") < page.index("新信件待受理")  # the code, sent last, is listed first
    assert str(files / "sms" / "outbox.jsonl") in page and str(files / "mail") in page  # where they land


def test_a_citizen_is_refused_and_someone_not_signed_in_is_sent_to_sign_in(
    files: Path, citizen: User, client: Client
) -> None:
    send_sms("13912345678", "【公安信访】您正在注册账户，验证码 123456")
    assert Client().get(PAGE)["Location"].startswith("/console/login/")
    client.force_login(citizen)
    response = client.get(PAGE)
    assert response.status_code == 403 and "123456" not in response.content.decode()


@override_settings(XINFANG_DEMO=False)
def test_outside_demo_mode_the_page_does_not_exist_even_for_staff(files: Path, acceptor: User, client: Client) -> None:
    send_sms("13912345678", "【公安信访】您正在注册账户，验证码 123456")
    assert sign_in(client, acceptor).get(PAGE).status_code == 404
    assert Client().get(PAGE).status_code == 404
