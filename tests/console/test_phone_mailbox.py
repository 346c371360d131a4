"""The Guangdong mailbox as the seat tests set it up (``phone_mailbox`` in tests/console/conftest.py)."""

from __future__ import annotations

from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel


def test_the_guangdong_mailbox_takes_calls_and_anonymous_callers_in_these_tests(phone_mailbox: Mailbox) -> None:
    phone_mailbox.refresh_from_db()
    assert Channel.TELEPHONE in phone_mailbox.channels
    assert phone_mailbox.allows_anonymous_phone
