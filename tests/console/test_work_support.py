"""Helpers shared by the handler, leader, inspector and letter-page tests, and the traffic light rule.

Letters are set up by calling the real services, as a front desk and a handler would.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import User
from xinfang.console.selectors_work import Light, light_of
from xinfang.letters import services as s
from xinfang.letters.models import AssignmentMode, Letter
from xinfang.orgs.models import Mailbox, Unit

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    """Travel to ``day`` (Beijing time) with the clock standing still."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False)


def assigned_letter(
    citizen: User,
    mailbox: Mailbox,
    acceptor: User,
    unit: Unit,
    *,
    mode: str = AssignmentMode.TRANSFER,
    reason: str = "",
    **extra: object,
) -> Letter:
    """A letter received, accepted by the Guangdong front desk and transferred (or assigned) to ``unit``."""
    letter = submit(citizen, mailbox, **extra).letter  # type: ignore[arg-type]
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=unit, mode=mode, reason=reason)
    return letter


def handled_letter(
    citizen: User, mailbox: Mailbox, acceptor: User, unit: Unit, handler: User, **extra: object
) -> Letter:
    letter = assigned_letter(citizen, mailbox, acceptor, unit, **extra)  # type: ignore[arg-type]
    s.letter_start_handling(letter=letter, actor=handler)
    return letter


def page_url(letter: Letter) -> str:
    return reverse("console:letter", args=[letter.public_id])


def action_url(letter: Letter, action: str) -> str:
    return reverse("console:letter_action", args=[letter.public_id, action])


def post_action(
    client: Client, letter: Letter, action: str, fields: dict[str, object], *, next: str = "", **headers: str
) -> Any:
    """Post one action form the way the page does: prefixed fields and the version the user saw."""
    letter.refresh_from_db()
    data: dict[str, object] = {f"{action}-version": letter.version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    if next:
        data["next"] = next
    return client.post(action_url(letter, action), data, **headers)  # type: ignore[arg-type]


def text_of(response: object) -> str:
    """The page's visible text, whitespace collapsed (tags removed), for assertions on what users read."""
    html = response.content.decode()  # type: ignore[attr-defined]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def form_actions(response: object) -> set[str]:
    """The actions whose forms the page offers (by the URL each form posts to)."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return set(re.findall(r'action="/console/letters/[0-9a-f-]+/do/([a-z_]+)/"', html))


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
