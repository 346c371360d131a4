"""The security page: replace the authenticator, issue new recovery codes — each needs a current code."""

from __future__ import annotations

import re

import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.signin.conftest import HOME, LOGIN, VERIFY, Enrolled, code_for, password_step, sign_in
from xinfang.accounts.models import User

SECURITY = "/console/security/"
REENROL = "/console/security/authenticator/"
NEW_CODES = "/console/security/recovery-codes/"


def test_the_security_page_needs_both_factors(client: Client, staff: Enrolled) -> None:
    assert client.get(SECURITY)["Location"] == LOGIN + "?next=" + SECURITY
    password_step(client, staff.user)
    assert client.get(SECURITY)["Location"].startswith(LOGIN)


def test_a_citizen_is_refused(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    assert client.get(SECURITY).status_code == 403


def test_the_security_page_shows_the_authenticator_and_the_codes_left(client: Client, staff: Enrolled) -> None:
    sign_in(client, staff)
    page = client.get(SECURITY).content.decode()
    assert "账户安全" in page and "已启用" in page and "还剩 10 个未使用的恢复码" in page


def test_new_recovery_codes_need_the_current_code(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    sign_in(client, staff)
    response = client.post(NEW_CODES, {"codes-otp_token": "000000"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(staff.recovery_codes)
    clock.shift(30)
    response = client.post(NEW_CODES, {"codes-otp_token": code_for(staff.device)}, follow=True)
    shown = re.findall(r"<code>([a-z2-7]{8})</code>", response.content.decode())
    assert len(shown) == 10 and not set(shown) & set(staff.recovery_codes)
    assert 'href="/console/security/"' in response.content.decode()


def test_the_old_recovery_codes_stop_working_when_new_ones_are_issued(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    sign_in(client, staff)
    clock.shift(30)
    client.post(NEW_CODES, {"codes-otp_token": code_for(staff.device)})
    other = Client()
    password_step(other, staff.user)
    assert other.post(VERIFY, {"otp_token": staff.recovery_codes[1]}).status_code == 200


def test_a_member_signed_in_with_a_recovery_code_can_issue_new_codes_and_stays_signed_in(
    client: Client, staff: Enrolled
) -> None:
    password_step(client, staff.user)
    client.post(VERIFY, {"otp_token": staff.recovery_codes[0]})
    client.post(NEW_CODES, {"codes-otp_token": staff.recovery_codes[1]})
    assert client.get(HOME).status_code == 200


def test_replacing_the_authenticator(client: Client, staff: Enrolled, clock: time_machine.Traveller) -> None:
    sign_in(client, staff)
    elsewhere = Client()
    sign_in(elsewhere, staff, steps_ahead=1)
    assert client.get(REENROL)["Location"] == SECURITY  # nothing to confirm before the current code
    refused = client.post(REENROL, {"step": "start", "reenrol-otp_token": "000000"})
    assert "验证码不正确" in refused.content.decode()
    clock.shift(60)
    assert client.post(REENROL, {"step": "start", "reenrol-otp_token": code_for(staff.device)})["Location"] == REENROL
    page = client.get(REENROL).content.decode()
    assert "<svg" in page and "<script" not in page
    new = TOTPDevice.objects.get(user=staff.user, confirmed=False)
    assert client.post(REENROL, {"step": "confirm", "otp_token": "000000"}).status_code == 200
    clock.shift(30)
    response = client.post(REENROL, {"step": "confirm", "otp_token": code_for(new)}, follow=True)
    assert "新的身份验证器已启用" in response.content.decode()
    assert list(TOTPDevice.objects.filter(user=staff.user)) == [new]
    assert client.get(HOME).status_code == 200  # this session carries on with the new authenticator
    assert elsewhere.get(HOME)["Location"].startswith(LOGIN)  # one verified by the old one does not


def test_the_old_authenticator_works_until_the_new_one_is_confirmed(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    sign_in(client, staff)
    clock.shift(30)
    client.post(REENROL, {"step": "start", "reenrol-otp_token": code_for(staff.device)})
    clock.shift(30)
    other = Client()
    password_step(other, staff.user)
    assert other.post(VERIFY, {"otp_token": code_for(staff.device)})["Location"] == HOME
