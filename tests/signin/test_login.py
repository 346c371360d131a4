"""Password, then the second factor: only both together sign a staff member in."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import PASSWORD
from tests.signin.conftest import HOME, LOGIN, VERIFY, Enrolled, code_for, password_step, sign_in
from xinfang.accounts.models import User


def test_the_sign_in_page_asks_for_username_and_password(client: Client, tree: None) -> None:
    page = client.get(LOGIN).content.decode()
    assert "用户名" in page and "密码" in page and 'name="password"' in page


def test_a_correct_password_alone_does_not_sign_in(client: Client, staff: Enrolled) -> None:
    response = password_step(client, staff.user)
    assert response["Location"] == VERIFY
    assert SESSION_KEY not in client.session
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_password_and_code_open_the_console(client: Client, staff: Enrolled) -> None:
    sign_in(client, staff)
    assert client.get(HOME).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client: Client, staff: Enrolled) -> None:
    response = password_step(client, staff.user, password="wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert client.get(VERIFY)["Location"] == LOGIN


def test_a_wrong_code_is_refused(client: Client, staff: Enrolled) -> None:
    password_step(client, staff.user)
    wrong = str((int(code_for(staff.device)) + 1) % 1_000_000).zfill(6)
    response = client.post(VERIFY, {"otp_token": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_right_after_a_wrong_code_even_the_right_one_waits_its_turn(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    """django-otp's throttle: after a wrong code the next try must wait 1 s, then 2 s, 4 s …"""
    password_step(client, staff.user)
    client.post(VERIFY, {"otp_token": "000000" if code_for(staff.device) != "000000" else "111111"})
    response = client.post(VERIFY, {"otp_token": code_for(staff.device)})
    assert "秒后再试" in response.content.decode()
    assert SESSION_KEY not in client.session
    clock.shift(2)
    assert client.post(VERIFY, {"otp_token": code_for(staff.device)})["Location"] == "/console/"


def test_a_code_cannot_be_used_twice(client: Client, staff: Enrolled) -> None:
    sign_in(client, staff)
    client.post("/console/logout/")
    password_step(client, staff.user)
    response = client.post(VERIFY, {"otp_token": code_for(staff.device)})
    assert "验证码不正确或已使用过" in response.content.decode()


def test_a_code_typed_with_a_space_is_accepted(client: Client, staff: Enrolled) -> None:
    password_step(client, staff.user)
    code = code_for(staff.device)
    assert client.post(VERIFY, {"otp_token": f"{code[:3]} {code[3:]}"})["Location"] == HOME


def test_a_recovery_code_works_once(client: Client, staff: Enrolled) -> None:
    password_step(client, staff.user)
    response = client.post(VERIFY, {"otp_token": staff.recovery_codes[0]}, follow=True)
    assert response.redirect_chain[0][0] == "/console/security/"  # where a lost phone is dealt with
    assert "还剩 9 个" in response.content.decode()
    client.post("/console/logout/")
    password_step(client, staff.user)
    response = client.post(VERIFY, {"otp_token": staff.recovery_codes[0]})
    assert response.status_code == 200 and SESSION_KEY not in client.session


def test_a_citizen_cannot_sign_in_here(client: Client, citizen: User) -> None:
    response = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert client.get(VERIFY)["Location"] == LOGIN


def test_a_disabled_account_cannot_sign_in(client: Client, staff: Enrolled) -> None:
    User.objects.filter(pk=staff.user.pk).update(is_active=False)
    assert password_step(client, staff.user).status_code == 200
    assert client.get(VERIFY)["Location"] == LOGIN


def test_the_code_step_is_not_reachable_without_the_password(client: Client, staff: Enrolled) -> None:
    response = client.post(VERIFY, {"otp_token": code_for(staff.device)})
    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def test_the_code_step_waits_ten_minutes_for_the_code(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    password_step(client, staff.user)
    clock.shift(11 * 60)
    assert client.post(VERIFY, {"otp_token": code_for(staff.device)})["Location"] == LOGIN


def test_the_account_is_disabled_between_the_two_steps(client: Client, staff: Enrolled) -> None:
    password_step(client, staff.user)
    User.objects.filter(pk=staff.user.pk).update(is_active=False)
    assert client.post(VERIFY, {"otp_token": code_for(staff.device)})["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def test_next_is_honoured_for_a_path_on_this_site(client: Client, staff: Enrolled) -> None:
    client.post(LOGIN + "?next=/console/security/", {"username": staff.user.username, "password": PASSWORD})
    assert client.post(VERIFY, {"otp_token": code_for(staff.device)})["Location"] == "/console/security/"


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", "console/"]
)
def test_next_pointing_anywhere_else_is_ignored(client: Client, staff: Enrolled, elsewhere: str) -> None:
    client.post(LOGIN, {"username": staff.user.username, "password": PASSWORD, "next": elsewhere})
    assert client.post(VERIFY, {"otp_token": code_for(staff.device)})["Location"] == HOME


def test_the_staff_page_gate_sends_a_visitor_to_sign_in_and_back(client: Client, staff: Enrolled) -> None:
    to_login = client.get("/console/security/")["Location"]
    assert to_login == LOGIN + "?next=/console/security/"
    client.post(to_login, {"username": staff.user.username, "password": PASSWORD, "next": "/console/security/"})
    assert client.post(VERIFY, {"otp_token": code_for(staff.device)})["Location"] == "/console/security/"


def _console_paths() -> list[str]:
    """A concrete path for every URL of the console app, new ones included without listing them."""
    samples = {"uuid": str(uuid.uuid4()), "int": "1", "slug": "accept", "str": "x", "path": "x"}
    paths = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                paths.append("/" + re.sub(r"<(\w+):\w+>", lambda m: samples[m.group(1)], route))

    console = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "console"]
    assert len(console) == 1  # the sign-in steps under /console/login/ belong to this app (signin)
    walk(console[0].url_patterns, str(console[0].pattern))
    return paths


def test_every_console_view_sends_a_half_signed_in_member_to_the_code_step(client: Client, staff: Enrolled) -> None:
    """Issue 6: no console page opens, by GET or POST, before the second factor; the way back leads to it."""
    password_step(client, staff.user)
    paths = _console_paths()
    assert len(paths) >= 20 and "/console/desk/" in paths and "/console/explanations/" in paths
    for path in paths:
        for response in (client.get(path), client.post(path, {"text": "x", "reason": "x"})):
            assert (response.status_code, response["Location"].split("?")[0]) == (302, LOGIN), path
    assert client.get(client.get("/console/work/")["Location"])["Location"] == VERIFY
    page = client.get(VERIFY).content.decode()
    assert 'name="otp_token"' in page
    assert client.post(VERIFY, {"otp_token": code_for(staff.device)}).status_code == 302
    assert client.get("/console/work/").status_code == 200


def test_a_signed_in_member_opening_the_sign_in_page_goes_straight_on(client: Client, staff: Enrolled) -> None:
    sign_in(client, staff)
    assert client.get(LOGIN)["Location"] == HOME


def test_sign_out_is_a_post_that_flushes_the_session(client: Client, staff: Enrolled) -> None:
    sign_in(client, staff)
    assert client.get("/console/logout/").status_code == 405
    old_key = client.session.session_key
    response = client.post("/console/logout/", follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "您已安全退出" in response.content.decode()
    assert SESSION_KEY not in client.session and client.session.session_key != old_key
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_the_console_header_has_sign_out_and_the_security_page(client: Client, staff: Enrolled) -> None:
    sign_in(client, staff)
    page = client.get(HOME).content.decode()
    assert 'action="/console/logout/"' in page and 'method="post"' in page
    assert 'href="/console/security/"' in page


class Heard:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def listener(self, name: str) -> Any:
        def receive(sender: object, **kwargs: Any) -> None:
            self.events.append((name, kwargs))

        return receive

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


@pytest.fixture
def heard() -> Any:
    record = Heard()
    receivers = {
        user_logged_in: record.listener("logged_in"),
        user_login_failed: record.listener("login_failed"),
        user_logged_out: record.listener("logged_out"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    yield record
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


def test_django_hears_of_every_failure_and_of_sign_in_only_after_both_factors(
    client: Client, staff: Enrolled, heard: Heard, clock: time_machine.Traveller
) -> None:
    password_step(client, staff.user, password="wrong-password")
    password_step(client, staff.user)
    assert heard.names() == ["login_failed"]
    client.post(VERIFY, {"otp_token": "not-a-code"})
    assert heard.names() == ["login_failed", "login_failed"]
    assert heard.events[1][1]["credentials"] == {"username": staff.user.username, "factor": "otp"}
    clock.shift(2)
    client.post(VERIFY, {"otp_token": code_for(staff.device)})
    client.post("/console/logout/")
    assert heard.names() == ["login_failed", "login_failed", "logged_in", "logged_out"]
    assert heard.events[2][1]["user"] == staff.user


def test_the_session_key_changes_at_each_step(client: Client, staff: Enrolled) -> None:
    client.get(LOGIN)
    client.session.save()
    planted = client.session.session_key
    password_step(client, staff.user)
    after_password = client.session.session_key
    client.post(VERIFY, {"otp_token": code_for(staff.device)})
    assert len({planted, after_password, client.session.session_key}) == 3
