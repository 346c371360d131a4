"""Tracking numbers (issue 17 §1): they cannot collide within a mailbox's day, even at 100,000
letters a day, they keep the format the look-up accepts, and they say nothing about volume."""

from __future__ import annotations

import itertools
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from tests.letters.conftest import submit
from xinfang.accounts.models import User
from xinfang.letters import tracking
from xinfang.letters.models import TrackingCounter
from xinfang.letters.tracking import CAPACITY, next_tracking_number, permute, tracking_number, unpermute
from xinfang.orgs.models import Mailbox
from xinfang.portal.forms import LookupForm

FORMAT = re.compile(r"[A-Z]{2,8}-\d{8}-\d{6}")
keys = st.binary(min_size=32, max_size=32)


class RolledBack(Exception):
    pass


@given(key=keys, serial=st.integers(min_value=0, max_value=CAPACITY - 1))
def test_the_permutation_of_serials_is_one_to_one_for_every_key(key: bytes, serial: int) -> None:
    """An inverse exists, so two serials never give the same digits; and the digits stay six."""
    digits = permute(serial, key)
    assert 0 <= digits < CAPACITY and unpermute(digits, key) == serial


def test_a_hundred_thousand_letters_of_one_mailbox_in_one_day_get_distinct_numbers() -> None:
    key = bytes(range(32))
    numbers = [tracking_number("GD", "20261207", serial, key) for serial in range(100_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(FORMAT.fullmatch(number) for number in numbers[:1000])
    assert LookupForm({"tracking_number": numbers[-1], "query_code": "ABCD-EFGH"}).is_valid()


def test_consecutive_serials_do_not_look_consecutive() -> None:
    """Volume hides behind the key: the digits of serials 0..999 are spread over the whole range."""
    digits = sorted(permute(serial, b"k" * 32) for serial in range(1000))
    assert digits[-1] - digits[0] > CAPACITY // 2
    assert sum(1 for a, b in itertools.pairwise(digits) if b - a == 1) < 20


def test_submitted_letters_get_distinct_numbers_in_the_format_the_look_up_accepts(
    citizen: User, gd_mailbox: Mailbox
) -> None:
    numbers = [submit(citizen, gd_mailbox).letter.tracking_number for _ in range(tracking.BLOCK + 5)]
    assert len(set(numbers)) == len(numbers)
    assert all(FORMAT.fullmatch(n) and n.startswith(f"{gd_mailbox.tracking_prefix}-") for n in numbers)


@pytest.mark.django_db
def test_two_processes_take_disjoint_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    mine = [next_tracking_number("ZZ", "20261207") for _ in range(3)]
    monkeypatch.setattr(tracking._local, "blocks", {})  # another process: its own blocks, the same counter
    theirs = [next_tracking_number("ZZ", "20261207") for _ in range(3)]
    assert not set(mine) & set(theirs)


@pytest.mark.django_db
def test_a_block_taken_in_a_rolled_back_transaction_is_not_used_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counter rolls back with the letter; another process then takes the same serials, so
    this process must forget the block."""
    with pytest.raises(RolledBack), transaction.atomic():
        next_tracking_number("ZZ", "20261207")
        raise RolledBack
    mine = tracking._local.blocks
    monkeypatch.setattr(tracking._local, "blocks", {})
    next_tracking_number("ZZ", "20261207")  # the other process: serials 0.. again
    monkeypatch.setattr(tracking._local, "blocks", mine)
    with CaptureQueriesContext(connection) as captured:
        next_tracking_number("ZZ", "20261207")
    assert len(captured) == 1  # a fresh block from the counter, not the rolled-back one
    assert TrackingCounter.objects.get(prefix="ZZ", day="20261207").issued == 2 * tracking.BLOCK
