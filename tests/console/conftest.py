"""Console fixtures: a browser-like client signed in with both factors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import receive
from xinfang.accounts.models import User
from xinfang.orgs.models import Mailbox


def sign_in(client: Client, user: User) -> Client:
    """Sign ``user`` in as if they had typed their password and a valid TOTP code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def console_client() -> Callable[[User], Client]:
    """``console_client(user)`` returns a new client signed in as ``user`` with a verified second factor."""
    return lambda user: sign_in(Client(), user)


@pytest.fixture
def known_caller(citizen: User, gd_mailbox: Mailbox) -> User:
    """A citizen the Guangdong seats know: they wrote to the Guangdong mailbox before."""
    receive(citizen, gd_mailbox, subject="此前的来信")
    return citizen
