"""Recovery after a crash: what a dead worker left half-done is run again once its lease has passed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.letters.conftest import submit
from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.notifications import sms
from xinfang.notifications.models import Channel, Delivery
from xinfang.notifications.services import deliveries_recover
from xinfang.orgs.models import Mailbox

pytestmark = pytest.mark.django_db


def test_what_a_dead_worker_left_is_picked_up_after_the_lease(citizen: User, gd_mailbox: Mailbox) -> None:
    submit(citizen, gd_mailbox)
    drain()
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    delivery = Delivery.objects.get(channel=Channel.SMS)
    # As if a worker had claimed the delivery and its task an hour ago and then died.
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENDING, claimed_at=an_hour_ago)
    task = DBTaskResult.objects.filter(task_path="xinfang.notifications.tasks.deliver").get()
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING", started_at=an_hour_ago)
    sms.outbox.clear()
    assert deliveries_recover(lease=dt.timedelta(minutes=10)) == {"tasks": 1, "sending": 1, "pending": 0}
    drain()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert [m.idempotency_key for m in sms.outbox] == [str(delivery.idempotency_key)]


def test_recovery_leaves_work_within_its_lease_alone(citizen: User, gd_mailbox: Mailbox) -> None:
    submit(citizen, gd_mailbox)
    drain()
    Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=timezone.now())
    assert deliveries_recover(lease=dt.timedelta(minutes=10)) == {"tasks": 0, "sending": 0, "pending": 0}
