"""Sign-in fixtures: staff with an authenticator, codes computed from the device key, the two steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from xinfang.accounts.models import User
from xinfang.signin import services

LOGIN = "/console/login/"
VERIFY = "/console/login/code/"
ENROL = "/console/login/enrol/"
HOME = "/console/"
# A fixed moment inside a TOTP step (30-second steps start at :00 and :30), so tests never straddle one.
START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)


@dataclass
class Enrolled:
    user: User
    device: TOTPDevice
    recovery_codes: list[str]


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the staff member's phone shows now (or ``steps_ahead`` 30-second steps later)."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, drift=steps_ahead)
    return str(value).zfill(device.digits)


def enrol(user: User) -> Enrolled:
    """Give ``user`` a confirmed authenticator and ten recovery codes, through the services.

    The enrolment is confirmed with the previous step's code (within the tolerance of one step),
    so that the current code is still unused for the test's own sign-in; the drift django-otp then
    records is reset, as for a phone whose clock is exact.
    """
    device = services.totp_enrolment_start(user=user)
    check = services.totp_enrolment_confirm(user=user, device_id=device.pk, code=code_for(device, steps_ahead=-1))
    assert check.accepted
    TOTPDevice.objects.filter(pk=device.pk).update(drift=0)
    device.refresh_from_db()
    return Enrolled(user=user, device=device, recovery_codes=services.recovery_codes_issue(user=user))


def password_step(client: Client, user: User, password: str = PASSWORD, **extra: Any) -> Any:
    """The first step; ``extra`` goes to the request (e.g. ``HTTP_ACCEPT_LANGUAGE``)."""
    return client.post(LOGIN, {"username": user.username, "password": password}, **extra)


def sign_in(client: Client, enrolled: Enrolled, *, steps_ahead: int = 0) -> None:
    """Both steps through the pages, as a person would."""
    assert password_step(client, enrolled.user)["Location"] == VERIFY
    response = client.post(VERIFY, {"otp_token": code_for(enrolled.device, steps_ahead=steps_ahead)})
    assert response.status_code == 302 and response["Location"] == reverse("console:home"), response


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """A frozen clock at ``START``; move it with ``clock.shift(seconds)``."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(clock: time_machine.Traveller, handler: User) -> Enrolled:
    """The handler from the shared cast, with an authenticator and recovery codes, on the frozen clock."""
    return enrol(handler)
