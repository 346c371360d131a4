"""Background tasks (django-tasks, database backend): enqueued in the transaction that causes them.

Every task is idempotent, because a task whose worker died is run again (``deliveries_recover``).
"""

from __future__ import annotations

from django_tasks import task


@task()
def notify_about(source: str, outward: bool = True) -> int:
    """Create the notifications for one cause (a timeline event, a message, a record on a letter);
    without ``outward`` in the inboxes only (``quiet.inbox_only``)."""
    from xinfang.notifications.services import notify_about as fan_out

    return fan_out(source=source, outward=outward)


@task()
def deliver(delivery_id: int) -> str:
    """Try one SMS or e-mail delivery once (it reschedules itself on a temporary failure)."""
    from xinfang.notifications.services import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)
