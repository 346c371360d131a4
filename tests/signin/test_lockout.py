"""django-axes: five failures per username and address lock sign-in for fifteen minutes."""

from __future__ import annotations

from typing import Any

import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.signin.conftest import HOME, LOGIN, VERIFY, Enrolled, code_for, password_step, sign_in
from xinfang.accounts.models import User


def fail(client: Client, user: User, times: int, **extra: str) -> Any:
    response: Any = None
    for _ in range(times):
        response = password_step(client, user, password="wrong-password", **extra)
    return response


def test_five_wrong_passwords_lock_sign_in_with_a_clear_message(client: Client, staff: Enrolled) -> None:
    assert fail(client, staff.user, 4).status_code == 200
    locked = fail(client, staff.user, 1)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录已暂时锁定" in page and "请在 15 分钟后再试" in page
    assert locked["Retry-After"] == "900"
    assert password_step(client, staff.user).status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_page_speaks_the_users_language(client: Client, staff: Enrolled) -> None:
    locked = fail(client, staff.user, 5, HTTP_ACCEPT_LANGUAGE="en")
    page = locked.content.decode()
    assert 'lang="en"' in page
    assert "Sign-in temporarily locked" in page and "Please try again in 15 minutes." in page


def test_the_lockout_ends_after_fifteen_minutes(client: Client, staff: Enrolled, clock: time_machine.Traveller) -> None:
    fail(client, staff.user, 5)
    clock.shift(14 * 60)
    assert password_step(client, staff.user).status_code == 429
    clock.shift(2 * 60)
    sign_in(client, staff, steps_ahead=0)
    assert client.get(HOME).status_code == 200


def test_a_lockout_holds_one_username_at_one_address(client: Client, staff: Enrolled, leader: User) -> None:
    fail(client, staff.user, 5)
    assert password_step(client, leader)["Location"] == "/console/login/enrol/"
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert password_step(elsewhere, staff.user)["Location"] == VERIFY


def test_a_successful_sign_in_clears_the_failures(client: Client, staff: Enrolled) -> None:
    fail(client, staff.user, 4)
    sign_in(client, staff)
    client.post("/console/logout/")
    assert fail(client, staff.user, 4).status_code == 200


def test_wrong_codes_count_towards_the_lockout(client: Client, staff: Enrolled, clock: time_machine.Traveller) -> None:
    password_step(client, staff.user)
    for _ in range(4):
        assert client.post(VERIFY, {"otp_token": "wrong"}).status_code == 200
        clock.shift(60)  # past django-otp's own back-off, to reach axes' limit
    locked = client.post(VERIFY, {"otp_token": "wrong"})
    assert locked.status_code == 429 and "登录已暂时锁定" in locked.content.decode()
    assert client.get(VERIFY)["Location"] == LOGIN  # the password step must be passed again
    assert password_step(client, staff.user).status_code == 429


def test_a_locked_out_member_cannot_finish_a_code_step_begun_earlier(client: Client, staff: Enrolled) -> None:
    password_step(client, staff.user)
    fail(Client(), staff.user, 5)  # someone else, at the same address, guessing the password
    response = client.post(VERIFY, {"otp_token": code_for(staff.device)})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
