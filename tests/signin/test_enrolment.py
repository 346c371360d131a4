"""A staff member without an authenticator enrols on first sign-in: QR code, first code, recovery codes."""

from __future__ import annotations

import re
from base64 import b32encode

import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.signin.conftest import ENROL, HOME, LOGIN, VERIFY, Enrolled, code_for, password_step
from xinfang.accounts.models import User

CODES_PAGE = "/console/login/recovery-codes/"


def pending_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_after_the_password_a_member_without_an_authenticator_is_taken_to_enrolment(
    client: Client, handler: User, clock: time_machine.Traveller
) -> None:
    assert password_step(client, handler)["Location"] == ENROL
    assert client.get(VERIFY)["Location"] == ENROL


def test_the_enrolment_page_shows_a_qr_code_and_the_secret_without_any_script(client: Client, handler: User) -> None:
    password_step(client, handler)
    page = client.get(ENROL).content.decode()
    device = pending_device(handler)
    secret = b32encode(device.bin_key).decode()
    assert re.search(r'<svg[^>]*class="qr"[^>]*role="img"', page) or re.search(r'<svg[^>]*role="img"', page)
    assert "<path" in page
    assert secret[:4] + " " + secret[4:8] in page  # grouped by four for typing
    assert "<script" not in page and " onload=" not in page


def test_the_first_code_confirms_the_authenticator_signs_in_and_shows_ten_recovery_codes_once(
    client: Client, handler: User, clock: time_machine.Traveller
) -> None:
    password_step(client, handler)
    client.get(ENROL)
    device = pending_device(handler)
    response = client.post(ENROL, {"otp_token": code_for(device)})
    assert response["Location"] == CODES_PAGE
    assert SESSION_KEY in client.session
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(CODES_PAGE)
    assert "no-store" in page["Cache-Control"]
    shown = re.findall(r"<code>([a-z2-7]{8})</code>", page.content.decode())
    assert len(shown) == 10
    assert sorted(shown) == sorted(StaticToken.objects.filter(device__user=handler).values_list("token", flat=True))
    assert f'href="{HOME}"' in page.content.decode()
    assert client.get(CODES_PAGE)["Location"] == "/console/security/"  # never shown again
    assert client.get(HOME).status_code == 200


def test_a_wrong_first_code_leaves_the_authenticator_unconfirmed(client: Client, handler: User) -> None:
    password_step(client, handler)
    client.get(ENROL)
    response = client.post(ENROL, {"otp_token": "12345x"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert not pending_device(handler).confirmed
    assert SESSION_KEY not in client.session


def test_reloading_the_page_keeps_the_secret_but_a_new_sign_in_gets_a_new_one(client: Client, handler: User) -> None:
    password_step(client, handler)
    client.get(ENROL)
    first = pending_device(handler).key
    client.get(ENROL)
    assert pending_device(handler).key == first
    other = Client()
    password_step(other, handler)
    other.get(ENROL)
    assert pending_device(handler).key != first  # whoever saw the first page cannot know the final secret


def test_a_password_alone_never_replaces_an_enrolled_authenticator(client: Client, staff: Enrolled) -> None:
    password_step(client, staff.user)
    assert client.get(ENROL)["Location"] == VERIFY
    assert client.post(ENROL, {"otp_token": "123456"})["Location"] == VERIFY
    assert list(TOTPDevice.objects.filter(user=staff.user)) == [staff.device]


def test_enrolment_needs_the_password_step(client: Client, handler: User) -> None:
    assert client.get(ENROL)["Location"] == LOGIN
    assert not TOTPDevice.objects.filter(user=handler).exists()


def test_the_pending_enrolment_code_does_not_open_the_code_step(
    client: Client, handler: User, clock: time_machine.Traveller
) -> None:
    """An authenticator that was never confirmed is not a second factor."""
    password_step(client, handler)
    client.get(ENROL)
    device = pending_device(handler)
    client.post(VERIFY, {"otp_token": code_for(device)})
    assert SESSION_KEY not in client.session
