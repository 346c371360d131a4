"""Reads of the time-limit policies.

The override table is tiny and read for every due date, so each process keeps it in memory
(xinfang.table_cache: other processes see an edit within 30 seconds).
"""

from __future__ import annotations

from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.orgs.models import Mailbox
from xinfang.table_cache import TableCache

_policies: TableCache[TimeLimitPolicy] = TableCache(
    lambda: list(TimeLimitPolicy.objects.all()), watch=(TimeLimitPolicy,)
)


def time_limit_overrides(*, step: str, mailbox: Mailbox | None, letter_type: str | None) -> list[TimeLimitPolicy]:
    """The overrides that apply to a letter, most specific first.

    Order: this mailbox and this type, this mailbox and all types, all mailboxes and this type,
    all mailboxes and all types.
    """
    mailbox_id = mailbox.pk if mailbox is not None else None
    rows = [
        row
        for row in _policies.rows()
        if row.step == step and row.mailbox_id in {None, mailbox_id} and row.letter_type in {"", letter_type or ""}
    ]
    return sorted(rows, key=lambda row: (row.mailbox_id is None, row.letter_type == ""))
