"""Counting attempts in a fixed window: the brakes of the anonymous look-up and of sign-up.

Counts live in the database (``ThrottleCount``), shared by every worker and kept across
restarts; a per-process cache would give each worker its own allowance and forget it all on a
deploy. Identifiers (client addresses, tracking numbers, phone numbers) are stored only as keyed
hashes. SMS codes have their own limits in ``accounts.services`` (counted on the codes sent).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from xinfang.pages.models import ThrottleCount


def _key(ident: str) -> str:
    # The salt keeps the name the module had when the counts began: existing keys stay valid.
    return salted_hmac("xinfang.portal.throttling", ident, algorithm="sha256").hexdigest()


def count(scope: str, ident: str) -> int:
    """How many hits ``ident`` has in the current window of ``scope``."""
    row = ThrottleCount.objects.filter(scope=scope, key=_key(ident), window_ends_at__gt=timezone.now()).first()
    return row.hits if row is not None else 0


def hit(scope: str, ident: str, *, window_seconds: int) -> int:
    """Record one hit and return the new count; the window starts with the first hit.

    1. A running window is counted up with one conditional UPDATE, so concurrent hits all count.
    2. An ended window starts again at 1 (the row is reused).
    3. A first hit creates the row; if another request created it meanwhile, this one counts
       up instead. Ended windows of the scope are deleted then, so the table stays small.
    """
    now = timezone.now()
    rows = ThrottleCount.objects.filter(scope=scope, key=_key(ident))
    ends = now + dt.timedelta(seconds=window_seconds)
    with transaction.atomic():
        if rows.filter(window_ends_at__gt=now).update(hits=F("hits") + 1):
            return rows.values_list("hits", flat=True).get()
        if rows.filter(window_ends_at__lte=now).update(hits=1, window_ends_at=ends):
            return 1
        ThrottleCount.objects.filter(scope=scope, window_ends_at__lte=now).delete()
        try:
            with transaction.atomic():
                ThrottleCount.objects.create(scope=scope, key=_key(ident), hits=1, window_ends_at=ends)
        except IntegrityError:
            rows.update(hits=F("hits") + 1)
            return rows.values_list("hits", flat=True).get()
    return 1


def client_address(request_meta: dict[str, object]) -> str:
    """The client's address as the server saw it (a proxy in front must be trusted explicitly)."""
    return str(request_meta.get("REMOTE_ADDR") or "unknown")
