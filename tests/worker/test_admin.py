"""Administrators pause a scheduled job or change its interval; they cannot add one."""

from __future__ import annotations

import pytest
from django.test import Client

from xinfang.worker.models import ScheduledJob
from xinfang.worker.schedule import schedule_ensure

pytestmark = pytest.mark.django_db


def test_an_administrator_sees_the_schedule_and_opens_a_job(admin_client: Client) -> None:
    schedule_ensure()
    job = ScheduledJob.objects.get(name="retention")
    assert b"retention" in admin_client.get("/admin/worker/scheduledjob/").content
    assert admin_client.get(f"/admin/worker/scheduledjob/{job.pk}/change/").status_code == 200
    assert admin_client.get("/admin/worker/scheduledjob/add/").status_code == 403
