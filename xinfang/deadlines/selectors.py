"""Reads of the time-limit policies.

The override table is tiny and read for every due date, so each process keeps it in memory for
``CACHE_SECONDS``. Saving or deleting a policy forgets the copy at once in this process (and again
when the change commits); other processes see it within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.orgs.models import Mailbox

CACHE_SECONDS = 30.0
_cache: dict[str, Any] = {"rows": None, "read_at": 0.0}


def _all_policies() -> list[TimeLimitPolicy]:
    rows = _cache["rows"]
    if rows is None or time.monotonic() - _cache["read_at"] > CACHE_SECONDS:
        rows = list(TimeLimitPolicy.objects.all())
        _cache.update(rows=rows, read_at=time.monotonic())
    return rows


def forget_cached_policies() -> None:
    _cache.update(rows=None, read_at=0.0)


@receiver([post_save, post_delete], sender=TimeLimitPolicy)
def _on_policy_changed(sender: type[Any], **kwargs: Any) -> None:
    forget_cached_policies()
    transaction.on_commit(forget_cached_policies)


def time_limit_overrides(*, step: str, mailbox: Mailbox | None, letter_type: str | None) -> list[TimeLimitPolicy]:
    """The overrides that apply to a letter, most specific first.

    Order: this mailbox and this type, this mailbox and all types, all mailboxes and this type,
    all mailboxes and all types.
    """
    mailbox_id = mailbox.pk if mailbox is not None else None
    rows = [
        row
        for row in _all_policies()
        if row.step == step and row.mailbox_id in {None, mailbox_id} and row.letter_type in {"", letter_type or ""}
    ]
    return sorted(rows, key=lambda row: (row.mailbox_id is None, row.letter_type == ""))
