"""The inspector's follow-up supervision over every unit under their bureau."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone, translation
from pytest_django.fixtures import Settings

from tests.factories import assigned_letter, at, page_url, text_of
from tests.letters.conftest import decide_accused
from xinfang.accounts.models import User
from xinfang.console.forms_work import SupervisionIssueForm
from xinfang.letters import services as s
from xinfang.letters.models import Letter, SupervisionOrder
from xinfang.letters.sweeps import sweep_deadlines
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
OVERVIEW = "/console/supervision/"
LETTERS = "/console/supervision/letters/"
ORDERS = "/console/supervision/orders/"


def unit_row(html: str, name: str) -> tuple[int, int]:
    """(overdue, due soon) in the overview row of the unit called ``name``."""
    row = re.search(rf"<th scope=\"row\"[^>]*>{re.escape(name)}</th>(.*?)</tr>", html, flags=re.S)
    assert row is not None, f"no row for {name}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), flags=re.S)
    return tuple(int(re.sub(r"<[^>]+>", "", cell).strip()) for cell in cells)  # type: ignore[return-value]


@pytest.fixture
def yuexiu(tree: None) -> Unit:
    return Unit.objects.get(code="440104")


@pytest.fixture
def late_letters(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, yuexiu: Unit, settings: Settings
) -> tuple[list[Letter], Letter, dt.date]:
    """Two letters overdue at Tianhe and one due within three days at Yuexiu, on the returned day."""
    settings.XINFANG_DUE_SOON_DAYS = 3
    with at(dt.date(2026, 3, 2)):
        overdue = [assigned_letter(citizen, gd_mailbox, acceptor, tianhe) for _ in range(2)]
    with at(dt.date(2026, 3, 16)):
        soon = assigned_letter(citizen, gd_mailbox, acceptor, yuexiu, division_code="440104")
    assert soon.current_due is not None
    return overdue, soon, soon.current_due - dt.timedelta(days=1)


def test_overdue_and_due_soon_letters_are_counted_by_unit(
    console_client: SignIn, inspector: User, tianhe: Unit, yuexiu: Unit,
    late_letters: tuple[list[Letter], Letter, dt.date],
) -> None:  # fmt: skip
    _overdue, _soon, today = late_letters
    with at(today):
        response = console_client(inspector).get(OVERVIEW)
    html = response.content.decode()
    assert unit_row(html, tianhe.name) == (2, 0)
    assert unit_row(html, yuexiu.name) == (0, 1)


def test_a_count_clicks_through_to_the_units_letters(
    console_client: SignIn, inspector: User, tianhe: Unit, late_letters: tuple[list[Letter], Letter, dt.date]
) -> None:
    overdue, soon, today = late_letters
    with at(today):
        client = console_client(inspector)
        overview = client.get(OVERVIEW).content.decode()
        assert f"?unit={tianhe.code}&amp;light=overdue" in overview
        page = text_of(client.get(LETTERS, {"unit": tianhe.code, "light": "overdue"}))
    assert all(letter.tracking_number in page for letter in overdue) and soon.tracking_number not in page


def test_letters_flagged_by_the_sweep_are_listed_with_their_automatic_orders(
    console_client: SignIn, inspector: User, late_letters: tuple[list[Letter], Letter, dt.date]
) -> None:
    overdue, soon, today = late_letters
    with at(today):
        sweep_deadlines(today=today)
        client = console_client(inspector)
        flagged = text_of(client.get(LETTERS, {"flagged": "on"}))
        orders = text_of(client.get(ORDERS, {"status": "open"}))
    assert all(letter.tracking_number in flagged for letter in overdue) and soon.tracking_number not in flagged
    assert all(letter.tracking_number in orders for letter in overdue) and "自动督办" in orders


def test_letters_returned_more_than_once_are_listed(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    inspector: User,
) -> None:  # fmt: skip
    returned = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    s.letter_return_misrouted(letter=returned, actor=handler, reason="不属本辖区")
    decide_accused(returned, acceptor)
    s.letter_assign(letter=returned, actor=acceptor, unit=tianhe)
    s.letter_return_misrouted(letter=returned, actor=handler, reason="仍不属本辖区")
    # Back at the Guangdong front desk it is no longer under Guangzhou: assign it once more.
    decide_accused(returned, acceptor)
    s.letter_assign(letter=returned, actor=acceptor, unit=tianhe)
    once = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    s.letter_return_misrouted(letter=once, actor=handler, reason="不属本辖区")
    decide_accused(once, acceptor)
    s.letter_assign(letter=once, actor=acceptor, unit=tianhe)
    client = console_client(inspector)
    page = text_of(client.get(LETTERS, {"returned": "on"}))
    assert returned.tracking_number in page and once.tracking_number not in page
    assert "多次退回" in page


def test_the_inspector_issues_a_supervision_order_on_the_letter_page_and_tracks_the_answer(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User,
    inspector: User,
) -> None:  # fmt: skip
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    due = timezone.localdate() + dt.timedelta(days=5)
    client = console_client(inspector)
    response = client.post(f"{page_url(letter)}do/supervise/", {"supervise-text": "请五日内办结", "supervise-due": due})
    assert response.status_code == 302
    order = SupervisionOrder.objects.get(letter=letter)
    assert order.issued_by == inspector and order.due == due and not order.automatic
    assert letter.tracking_number in text_of(client.get(ORDERS))
    handler_client = console_client(handler)
    assert "请五日内办结" in text_of(handler_client.get(page_url(letter)))
    handler_client.post(
        f"{page_url(letter)}do/respond_order/", {"target": order.pk, f"respond_order-{order.pk}-text": "已办结"}
    )
    order.refresh_from_db()
    assert order.response == "已办结"
    answered = text_of(client.get(ORDERS, {"status": "answered"}))
    assert letter.tracking_number in answered and "已办结" in answered
    assert letter.tracking_number not in text_of(client.get(ORDERS, {"status": "open"}))


def test_a_supervision_order_needs_a_due_date_not_in_the_past(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, inspector: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    client = console_client(inspector)
    response = client.post(f"{page_url(letter)}do/supervise/", {"supervise-text": "请办结", "supervise-due": ""})
    assert response.status_code == 200 and "这个字段是必填项" in text_of(response)
    response = client.post(
        f"{page_url(letter)}do/supervise/", {"supervise-text": "请办结", "supervise-due": "2020-01-01"}
    )
    assert "期限不能早于今天" in text_of(response)
    assert not SupervisionOrder.objects.exists()


def test_an_overdue_order_is_marked_in_the_list(
    console_client: SignIn, citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, inspector: User
) -> None:
    letter = assigned_letter(citizen, gd_mailbox, acceptor, tianhe)
    order = s.supervision_order_issue(letter=letter, actor=inspector, text="请办结", due=timezone.localdate())
    with at(order.due + dt.timedelta(days=2)):
        page = text_of(console_client(inspector).get(ORDERS, {"status": "overdue"}))
    assert letter.tracking_number in page and "逾期" in page


def test_an_inspector_elsewhere_sees_none_of_it(
    console_client: SignIn, outsider: User, late_letters: tuple[list[Letter], Letter, dt.date]
) -> None:
    overdue, soon, today = late_letters
    with at(today):
        client = console_client(outsider)
        overview = text_of(client.get(OVERVIEW))
        listed = text_of(client.get(LETTERS, {"light": "overdue"}))
    assert "没有逾期或临期的信件" in overview
    assert not any(letter.tracking_number in listed for letter in [*overdue, soon])


def test_only_inspectors_open_supervision(console_client: SignIn, handler: User, leader: User) -> None:
    for user in (handler, leader):
        client = console_client(user)
        assert client.get(OVERVIEW).status_code == 403
        assert client.get(LETTERS).status_code == 403
        assert client.get(ORDERS).status_code == 403


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_due_date_fills_the_date_picker_in_either_language(language: str) -> None:
    """``<input type="date">`` reads ISO dates only; a Chinese ``2026/12/05`` would show as empty."""
    with translation.override(language):
        html = str(SupervisionIssueForm(initial={"due": dt.date(2026, 12, 5)})["due"])
    assert 'type="date"' in html
    assert 'value="2026-12-05"' in html
