"""A staff session ends after 30 minutes without a request, and in any case 12 hours after sign-in."""

from __future__ import annotations

import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

from tests.conftest import PASSWORD
from tests.console.conftest import sign_in as console_sign_in
from tests.signin.conftest import HOME, LOGIN, VERIFY, Enrolled, code_for, sign_in
from xinfang.accounts.models import User

MINUTE = 60


def test_thirty_minutes_without_a_request_end_the_session(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    sign_in(client, staff)
    clock.shift(29 * MINUTE)
    assert client.get(HOME).status_code == 200  # a request restarts the idle clock
    clock.shift(29 * MINUTE)
    assert client.get(HOME).status_code == 200
    clock.shift(31 * MINUTE)
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[0][0] == LOGIN + "?next=/console/"
    assert "较长时间未操作" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_twelve_hours_after_sign_in_the_session_ends_however_busy(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    sign_in(client, staff)
    for _ in range(12 * 60 // 20):
        clock.shift(20 * MINUTE)
        assert client.get(HOME).status_code == 200
    clock.shift(1 * MINUTE)
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "登录已超过允许的最长时间" in response.content.decode()


@override_settings(SIGNIN_IDLE_MINUTES=5, SIGNIN_ABSOLUTE_HOURS=1)
def test_the_limits_are_settings(client: Client, staff: Enrolled, clock: time_machine.Traveller) -> None:
    sign_in(client, staff)
    clock.shift(6 * MINUTE)
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_an_htmx_request_is_told_to_load_the_sign_in_page(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    sign_in(client, staff)
    clock.shift(31 * MINUTE)
    response = client.get(HOME, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == LOGIN + "?next=/console/"


def test_a_timed_out_member_signs_in_again_and_returns_to_the_page(
    client: Client, staff: Enrolled, clock: time_machine.Traveller
) -> None:
    sign_in(client, staff)
    clock.shift(31 * MINUTE)
    client.get("/console/security/")
    client.post(LOGIN, {"username": staff.user.username, "password": PASSWORD, "next": "/console/security/"})
    assert client.post(VERIFY, {"otp_token": code_for(staff.device, steps_ahead=1)})["Location"] == "/console/security/"


def test_a_citizens_session_is_left_to_the_portal(client: Client, citizen: User, clock: time_machine.Traveller) -> None:
    client.force_login(citizen)
    clock.shift(13 * 60 * MINUTE)
    client.get("/")
    assert SESSION_KEY in client.session


def test_the_console_tests_sign_in_still_opens_the_console(handler: User) -> None:
    """The console's tests sign in with ``force_login``: Django's login signal starts the clocks there too."""
    assert console_sign_in(Client(), handler).get(HOME).status_code == 200
