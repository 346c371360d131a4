"""The traffic light of the handler's queue, and where a transferred letter waits."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_django.fixtures import Settings

from tests.factories import assigned_letter
from xinfang.accounts.models import User
from xinfang.console.selectors_work import Light, light_of
from xinfang.orgs.models import Mailbox, Unit

# ---------------------------------------------------------------- the traffic light rule


def test_the_light_is_red_after_the_due_date_amber_within_the_warning_days_and_green_before(
    settings: Settings,
) -> None:
    settings.XINFANG_DUE_SOON_DAYS = 3
    today = dt.date(2026, 3, 10)
    assert light_of(dt.date(2026, 3, 9), on=today) == Light.OVERDUE
    assert light_of(today, on=today) == Light.DUE_SOON
    assert light_of(dt.date(2026, 3, 13), on=today) == Light.DUE_SOON
    assert light_of(dt.date(2026, 3, 14), on=today) == Light.ON_TIME
    assert light_of(None, on=today) == Light.NONE


def test_the_warning_days_come_from_the_setting(settings: Settings) -> None:
    settings.XINFANG_DUE_SOON_DAYS = 7
    assert light_of(dt.date(2026, 3, 17), on=dt.date(2026, 3, 10)) == Light.DUE_SOON


@pytest.mark.django_db
def test_a_letter_transferred_by_the_front_desk_waits_in_the_handling_unit(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    assert letter.handling_unit == tianhe and letter.current_due is not None
