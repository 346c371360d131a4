from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.console.conftest import sign_in
from tests.factories import receive
from xinfang.accounts.models import User
from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.deadlines.policies import DayKind, Step
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import LetterType


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


def test_a_year_entered_in_the_admin_settles_the_provisional_due_dates_in_it(
    admin_client_zh: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    """2027's holidays are not published yet: a due date in 2027 counted in working days is
    provisional. The administrator enters the year's holidays and then the year itself in the
    admin, and the due date follows, as loading the year with load_holidays does."""
    TimeLimitPolicy.objects.create(
        mailbox=gd_mailbox, letter_type=LetterType.INQUIRY, step=Step.ACCEPTANCE, days=10, day_kind=DayKind.WORKING
    )
    with time_machine.travel(dt.datetime(2026, 12, 21, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        letter = receive(citizen, gd_mailbox)
    assert letter.due_provisional and letter.current_due == dt.date(2027, 1, 4)  # 10 working days, weekends only

    holiday = {"date": "2027-01-04", "name": "元旦（补休）", "is_working_day": ""}
    assert admin_client_zh.post("/admin/deadlines/holiday/add/", holiday).status_code == 302
    year = {"year": 2027, "source": "国务院办公厅通知"}
    assert admin_client_zh.post("/admin/deadlines/holidayyear/add/", year).status_code == 302
    letter.refresh_from_db()
    assert (letter.current_due, letter.due_provisional) == (dt.date(2027, 1, 5), False)
