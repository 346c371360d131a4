"""A past replayed, such as the demo's seeded months: what happens inside ``inbox_only()`` reaches
the inboxes, never a phone or a mailbox.

The notifications are made later by the worker, in another process, so the flag travels with each
fan-out task (``tasks.notify_about``'s ``outward``) rather than living in this process only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_inbox_only: ContextVar[bool] = ContextVar("xinfang_notifications_inbox_only", default=False)


@contextmanager
def inbox_only() -> Iterator[None]:
    """Within this block, causes notify by inbox only: no SMS, no e-mail (the demo's seeded letters)."""
    token = _inbox_only.set(True)
    try:
        yield
    finally:
        _inbox_only.reset(token)


def outward() -> bool:
    """Whether notifications of what happens now may leave the product by SMS and e-mail."""
    return not _inbox_only.get()
