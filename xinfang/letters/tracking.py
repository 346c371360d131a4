"""Tracking numbers (``GD-20261123-483920``) that cannot collide and reveal nothing about volume.

The six digits are a keyed permutation of a serial number: the n-th letter of a mailbox's day
gets ``permute(n)``, a bijection of ``0 … 999,999`` keyed per prefix and day. Distinct serials
give distinct digits, so two letters of one mailbox and day can never share a number (up to
1,000,000 letters per mailbox per day); without the key the digits say nothing about ``n``.

Serials come from ``TrackingCounter`` (one row per prefix and day) in blocks of ``BLOCK``, so
that a process touches the counter once per ``BLOCK`` letters and no letter waits for another's
transaction. A block is taken inside the letter's transaction (one upsert); until that commits,
only that transaction may use it (``Django``'s on-commit callback confirms it). If it rolls back
the counter rolls back with it and the process forgets the block, so a serial is never handed
out twice. Serials lost in blocks that a process never finishes (a restart, the end of the day)
are at most ``BLOCK`` per process and day.

The key (random, stored in the counter row) is the day's, not the server's: changing SECRET_KEY
cannot change the permutation halfway through a day.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _

from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import TrackingCounter

DIGITS = 6
HALF = 1000  # two halves of three digits: 1000 × 1000 = 10 ** DIGITS
CAPACITY = HALF * HALF
ROUNDS = 8
BLOCK = 64


def permute(serial: int, key: bytes) -> int:
    """A balanced Feistel network on ``0 … CAPACITY - 1``: a bijection for every key."""
    if not 0 <= serial < CAPACITY:
        raise ValueError(serial)
    left, right = divmod(serial, HALF)
    for round_ in range(ROUNDS):
        mac = hmac.new(key, f"{round_}:{right}".encode(), hashlib.sha256).digest()
        left, right = right, (left + int.from_bytes(mac[:8], "big")) % HALF
    return left * HALF + right


def unpermute(value: int, key: bytes) -> int:
    """The inverse of :func:`permute` (so ``permute`` is one-to-one: tests/letters/test_tracking.py)."""
    left, right = divmod(value, HALF)
    for round_ in reversed(range(ROUNDS)):
        mac = hmac.new(key, f"{round_}:{left}".encode(), hashlib.sha256).digest()
        left, right = (right - int.from_bytes(mac[:8], "big")) % HALF, left
    return left * HALF + right


def tracking_number(prefix: str, day: str, serial: int, key: bytes) -> str:
    return f"{prefix}-{day}-{permute(serial, key):0{DIGITS}d}"


# One upsert: the day's row is made on the first letter (with its key) or moved on by a block.
_TAKE_BLOCK = (
    'INSERT INTO "letters_trackingcounter" ("prefix", "day", "issued", "key") VALUES (%s, %s, %s, %s) '
    'ON CONFLICT ("prefix", "day") DO UPDATE SET "issued" = "letters_trackingcounter"."issued" + EXCLUDED."issued" '
    'RETURNING "issued", "key"'
)
assert TrackingCounter._meta.db_table == "letters_trackingcounter"


@dataclass
class _Block:
    prefix: str
    day: str
    key: bytes
    next: int
    end: int
    confirmed: bool = False
    confirm: object = field(default=None, repr=False)


_local = threading.local()  # each thread has its own connection, so its own blocks


def _blocks() -> dict[tuple[str, str, str], _Block]:
    if not hasattr(_local, "blocks"):
        _local.blocks = {}
    blocks: dict[tuple[str, str, str], _Block] = _local.blocks
    return blocks


def _usable(block: _Block | None, using: str) -> bool:
    """A block is usable once its counter update committed, or inside the transaction that took it."""
    if block is None or block.next >= block.end:
        return False
    if block.confirmed:
        return True
    pending = connections[using].run_on_commit
    return any(entry[1] is block.confirm for entry in pending)  # (savepoint ids, callback, robust)


def next_tracking_number(prefix: str, day: str, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """The next number of ``prefix`` on ``day``; call inside the transaction that saves the letter."""
    blocks = _blocks()
    slot = (using, prefix, day)
    block = blocks.get(slot)
    if not _usable(block, using):
        for stale in [s for s, b in blocks.items() if s[1] == prefix and s[2] != day]:
            del blocks[stale]
        block = blocks[slot] = _take_block(prefix, day, using)
    assert block is not None
    serial = block.next
    block.next += 1
    return tracking_number(prefix, day, serial, block.key)


def _take_block(prefix: str, day: str, using: str) -> _Block:
    with connections[using].cursor() as cursor:
        cursor.execute(_TAKE_BLOCK, [prefix, day, BLOCK, secrets.token_hex(32)])
        issued, key = cursor.fetchone()
    if issued - BLOCK >= CAPACITY:
        raise LifecycleError(_("今日该信箱编号已满，请稍后再试。"))
    block = _Block(prefix, day, bytes.fromhex(key), next=issued - BLOCK, end=min(issued, CAPACITY))

    def confirm() -> None:
        block.confirmed = True

    block.confirm = confirm
    transaction.on_commit(confirm, using=using)
    return block
