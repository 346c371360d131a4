"""The handler's list: the unit's letters by due date with a traffic light, filters and pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from tests.conftest import make_staff
from tests.factories import assigned_letter, at, text_of
from xinfang.accounts.models import Role, User
from xinfang.console import views_work
from xinfang.letters import services as s
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
WORK = "/console/work/"


def listed(response: object) -> list[tuple[str, str]]:
    """(tracking number, light) of each row, top to bottom."""
    html = response.content.decode()  # type: ignore[attr-defined]
    rows = re.findall(r'<tr class="row-(\w+)">.*?>([A-Z]+-\d{8}-\d{6})</a>', html, flags=re.S)
    return [(number, light) for light, number in rows]


@pytest.fixture
def three_letters(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, settings: Settings
) -> tuple[Letter, Letter, Letter, dt.date]:
    """Accepted on 2 March, 16 March and 6 April 2026 (created newest first); returns them oldest first
    and a day on which the first is overdue, the second due within three days and the third on time."""
    settings.XINFANG_DUE_SOON_DAYS = 3
    letters = {}
    for day in (dt.date(2026, 4, 6), dt.date(2026, 3, 16), dt.date(2026, 3, 2)):
        with at(day):
            letters[day] = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    first, second, third = (letters[d] for d in sorted(letters))
    assert first.current_due and second.current_due and third.current_due
    today = second.current_due - dt.timedelta(days=1)
    assert first.current_due < today and third.current_due > today + dt.timedelta(days=3)
    return first, second, third, today


def test_the_unit_letters_are_sorted_by_due_date_with_a_traffic_light(
    console_client: SignIn, handler: User, three_letters: tuple[Letter, Letter, Letter, dt.date]
) -> None:
    first, second, third, today = three_letters
    with at(today):
        rows = listed(console_client(handler).get(WORK))
    assert rows == [
        (first.tracking_number, "overdue"),
        (second.tracking_number, "due_soon"),
        (third.tracking_number, "on_time"),
    ]


def test_the_light_changes_as_the_days_pass(
    console_client: SignIn, handler: User, three_letters: tuple[Letter, Letter, Letter, dt.date]
) -> None:
    second = three_letters[1]
    assert second.current_due is not None
    with at(second.current_due + dt.timedelta(days=1)):
        rows = dict(listed(console_client(handler).get(WORK)))
    assert rows[second.tracking_number] == "overdue"


def test_the_filter_by_light_keeps_only_those_letters(
    console_client: SignIn, handler: User, three_letters: tuple[Letter, Letter, Letter, dt.date]
) -> None:
    first, second, third, today = three_letters
    with at(today):
        client = console_client(handler)
        assert listed(client.get(WORK, {"light": "overdue"})) == [(first.tracking_number, "overdue")]
        assert listed(client.get(WORK, {"light": "due_soon"})) == [(second.tracking_number, "due_soon")]
        assert [n for n, _ in listed(client.get(WORK, {"q": third.tracking_number}))] == [third.tracking_number]


def test_my_letters_are_those_i_have_worked_on(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    colleague = make_staff("colleague", tianhe, Role.HANDLER)
    mine = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    theirs = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    s.letter_start_handling(letter=mine, actor=handler)
    s.letter_start_handling(letter=theirs, actor=colleague)
    client = console_client(handler)
    assert [n for n, _ in listed(client.get(WORK, {"scope": "mine"}))] == [mine.tracking_number]
    assert {n for n, _ in listed(client.get(WORK, {"scope": "unit"}))} == {mine.tracking_number, theirs.tracking_number}


def test_filters_by_state_and_type(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User
) -> None:
    complaint = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    report = assigned_letter(citizen, gd_mailbox, acceptor, tianhe, letter_type=LetterType.REPORT)
    s.letter_start_handling(letter=report, actor=handler)
    client = console_client(handler)
    assert [n for n, _ in listed(client.get(WORK, {"state": "in_handling"}))] == [report.tracking_number]
    assert [n for n, _ in listed(client.get(WORK, {"letter_type": "complaint"}))] == [complaint.tracking_number]


def test_the_list_is_paginated(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(views_work, "PAGE_SIZE", 2)
    numbers = {assigned_letter(citizen, gd_mailbox, acceptor, tianhe).tracking_number for _ in range(3)}
    client = console_client(handler)
    first_page = client.get(WORK)
    second_page = client.get(WORK, {"page": 2})
    assert len(listed(first_page)) == 2 and len(listed(second_page)) == 1
    assert {n for n, _ in listed(first_page) + listed(second_page)} == numbers
    assert "第 1 / 2 页" in text_of(first_page)


def test_a_list_longer_than_the_count_cap_says_more_than_and_pages_through_the_first(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Counting a province's open letters cost more than the page (docs/benchmarks.md): past the
    cap the list says "more than" and pages through the first rows."""
    from xinfang.pages import paging

    monkeypatch.setattr(views_work, "PAGE_SIZE", 1)
    monkeypatch.setattr(paging.CappedPaginator, "cap", 2)
    for _ in range(3):
        assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    client = console_client(handler)
    first_page = client.get(WORK)
    assert "第 1 / 2 页，共超过 2 条，只列出前 2 条" in text_of(first_page)
    assert len(listed(client.get(WORK, {"page": 2}))) == 1


def test_other_units_letters_are_not_listed(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, outsider: User
) -> None:
    assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    response = console_client(outsider).get(WORK)
    assert response.status_code == 200 and listed(response) == []


def test_staff_without_the_handler_or_leader_role_are_refused(console_client: SignIn, acceptor: User) -> None:
    assert console_client(acceptor).get(WORK).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        WORK,
        "/console/approvals/",
        "/console/important/",
        "/console/supervision/",
        "/console/supervision/letters/",
        "/console/supervision/orders/",
        "/console/letters/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_a_password_alone_is_sent_to_the_second_factor(client: Client, handler: User, url: str) -> None:
    client.force_login(handler)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")
