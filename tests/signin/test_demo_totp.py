"""``manage.py demo_totp``: the current code of a demo account's authenticator, never in production."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.signin.conftest import code_for, enrol
from xinfang.accounts.demo import DEMO_PASSWORD
from xinfang.accounts.models import Role, User
from xinfang.accounts.services import staff_create
from xinfang.orgs.models import Unit
from xinfang.signin import services


@pytest.fixture
def demo_acceptor(guangdong: Unit) -> User:
    return staff_create(
        username="gd-acceptor", password=DEMO_PASSWORD, unit=guangdong, roles=[Role.ACCEPTOR], actor=None
    )


def run(username: str) -> str:
    out = StringIO()
    call_command("demo_totp", username, stdout=out)
    return out.getvalue()


def test_it_prints_the_code_the_authenticator_shows_now(demo_acceptor: User, clock: time_machine.Traveller) -> None:
    enrolled = enrol(demo_acceptor)
    assert run("gd-acceptor").split()[0] == code_for(enrolled.device)


def test_it_prints_the_code_for_an_enrolment_in_progress(demo_acceptor: User, clock: time_machine.Traveller) -> None:
    device = services.totp_enrolment_start(user=demo_acceptor)
    output = run("gd-acceptor")
    assert output.split()[0] == code_for(device) and "waiting for enrolment" in output


@override_settings(PRODUCTION=True)
def test_it_is_refused_in_production(demo_acceptor: User) -> None:
    enrol(demo_acceptor)
    with pytest.raises(CommandError, match="XINFANG_PRODUCTION"):
        run("gd-acceptor")


def test_it_is_refused_for_an_account_that_is_not_in_the_demo_cast(handler: User) -> None:
    enrol(handler)
    with pytest.raises(CommandError, match="not a demo account"):
        run("handler")
