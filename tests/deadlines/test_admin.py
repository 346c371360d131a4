from __future__ import annotations

import pytest
from django.test import Client

from tests.console.conftest import sign_in
from xinfang.accounts.models import User
from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.deadlines.policies import DayKind, Step
from xinfang.letters.choices import LetterType
from xinfang.orgs.models import Mailbox


@pytest.fixture
def admin_client_zh(client: Client, db: None) -> Client:
    admin = User.objects.create_superuser(username="root-admin", password="correct-horse-battery-staple")
    sign_in(client, admin)
    return client


def policy_form(mailbox: Mailbox, days: int) -> dict[str, object]:
    return {
        "mailbox": mailbox.pk,
        "letter_type": LetterType.INQUIRY,
        "step": Step.REPLY,
        "days": days,
        "day_kind": DayKind.CALENDAR,
        "note": "",
    }


def test_an_administrator_sets_a_stricter_limit(admin_client_zh: Client, gd_mailbox: Mailbox) -> None:
    response = admin_client_zh.post("/admin/deadlines/timelimitpolicy/add/", policy_form(gd_mailbox, 10))
    assert response.status_code == 302
    assert TimeLimitPolicy.objects.get().days == 10


def test_the_admin_refuses_a_limit_longer_than_the_law(admin_client_zh: Client, gd_mailbox: Mailbox) -> None:
    response = admin_client_zh.post(
        "/admin/deadlines/timelimitpolicy/add/", policy_form(gd_mailbox, 70), HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert response.status_code == 200
    assert "不得长于法定的60日" in response.content.decode()
    assert not TimeLimitPolicy.objects.exists()


def test_the_holiday_pages_open(admin_client_zh: Client) -> None:
    assert "春节" in admin_client_zh.get("/admin/deadlines/holiday/?q=春节").content.decode()
    assert "2026" in admin_client_zh.get("/admin/deadlines/holidayyear/").content.decode()
