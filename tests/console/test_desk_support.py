"""Shared set-up for the seat and front-desk tests (imported by test_seat_*, test_desk_*, test_identity_*).

The Guangdong mailbox opens its telephone channel, with anonymous calls allowed, as an
administrator would for a provincial 12389 seat; letters arrive through the real services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from xinfang.accounts.id_numbers import check_character
from xinfang.accounts.models import User
from xinfang.letters.choices import Channel, LetterType
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_submit
from xinfang.orgs.models import Mailbox

ConsoleClient = Callable[[User], Client]
CITIZEN_NAME = "张三"
CITIZEN_PHONE = "13800138000"


def resident_id(first17: str = "44010619850317123") -> str:
    """A valid resident ID number (correct check character) for a new caller."""
    return first17 + check_character(first17)


def receive(
    citizen: User,
    mailbox: Mailbox,
    *,
    at: dt.datetime | None = None,
    letter_type: str = LetterType.INQUIRY,
    **extra: object,
) -> Letter:
    """A letter from ``citizen`` through the web, received at ``at`` (now by default)."""
    fields: dict[str, object] = {
        "subject": "户口迁移咨询",
        "text": "请问从外省迁入广州市天河区的户口需要哪些材料？",
        "division_code": "440106",
        "address": "广州市天河区",
    }
    fields.update(extra)
    with time_machine.travel(at or timezone.now(), tick=False):
        return letter_submit(
            mailbox=mailbox,
            actor=citizen,
            letter_type=letter_type,
            channel=Channel.WEB,
            **fields,  # type: ignore[arg-type]
        ).letter


@pytest.fixture
def phone_mailbox(gd_mailbox: Mailbox) -> Mailbox:
    gd_mailbox.channels = [*gd_mailbox.channels, Channel.TELEPHONE]
    gd_mailbox.allows_anonymous_phone = True
    gd_mailbox.save(update_fields=["channels", "allows_anonymous_phone"])
    return gd_mailbox


def test_the_guangdong_mailbox_takes_calls_and_anonymous_callers_in_these_tests(phone_mailbox: Mailbox) -> None:
    phone_mailbox.refresh_from_db()
    assert Channel.TELEPHONE in phone_mailbox.channels
    assert phone_mailbox.allows_anonymous_phone
