"""Idempotency keys: a POST retried with the same ``Idempotency-Key`` gets the first answer back.

The same key with another body (or for another operation) is refused with 409. The key's row is
inserted first, in the transaction that does the work, under the unique constraint (token, key):
on PostgreSQL a second request with the key waits on the first one's uncommitted row, then fails
its insert and reads the stored answer; if the first one rolled back (a server error), the second
does the work itself. So any number of concurrent requests with one key do the work once
(tests/api/test_idempotency.py: 1,000 of them, one letter).

A key protects against a replay for :data:`KEY_KEEP` (24 hours, docs/api.md): the worker deletes
older keys every hour (:func:`keys_prune`, the job ``idempotency_keys_prune`` that ``apps.py``
registers), after which the same key is a new request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.api.errors import ApiError
from xinfang.api.models import IdempotencyKey, PartnerToken

KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"  # printable ASCII, as a header carries it (a UUID, say)
Answer = tuple[int, Any]
KEY_KEEP = dt.timedelta(hours=24)  # a retry within a day gets the first answer; Stripe's window too


def body_digest(operation: str, payload: Any) -> str:
    """The digest of what was asked: the operation and its validated body, canonically serialised."""
    canonical = json.dumps([operation, payload], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def answer_once(*, token: PartnerToken, key: str, operation: str, payload: Any, work: Callable[[], Answer]) -> Answer:
    """The answer to the first request with ``key``: computed now by ``work``, or the stored one.

    1. Insert the key's row (in a savepoint); if the key exists, lock and read its row: another
       body is refused (409), the same one gets the stored status and body.
    2. Run ``work`` in a savepoint. A refusal (``ApiError``, 4xx) is an answer like any other and is
       stored; an unexpected error rolls everything back, key included, so a retry may succeed.
    3. Store the answer with the key, in the same transaction as the work.
    """
    digest = body_digest(operation, payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(token=token, key=key, operation=operation, body_hash=digest)
        except IntegrityError:
            record = IdempotencyKey.objects.select_for_update().get(token=token, key=key)
            if record.body_hash != digest or record.status is None:
                message = _("该 Idempotency-Key 已用于另一个请求，请为新的请求使用新的键。")
                raise ApiError(409, "idempotency_key_reused", message, {"Idempotency-Key": [message]}) from None
            return record.status, json.loads(record.response)
        try:
            with transaction.atomic():
                status, body = work()
        except ApiError as refusal:
            status, body = refusal.status, refusal.body()
        stored = json.dumps(body, default=str, ensure_ascii=False)
        record.status, record.response = status, stored
        record.save(update_fields=["status", "response"])
    return status, json.loads(stored)


def keys_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the keys older than :data:`KEY_KEEP` (the worker's hourly job); returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=(now or timezone.now()) - KEY_KEEP).delete()
    return deleted
