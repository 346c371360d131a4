"""Early warning (issue 16 §5): one unit or officer named by several different writers within a window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, make_staff
from tests.factories import assigned_letter, receive, resident_id
from xinfang.accounts.models import Role, User
from xinfang.accounts.services import citizen_create
from xinfang.analysis.early_warning import early_warnings_scan, inspectors_above
from xinfang.analysis.models import DEFAULT_DAYS, DEFAULT_WRITERS, EarlyWarning, WarningRule
from xinfang.notifications.models import Kind, Notification
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for
from xinfang.vocabulary import LetterType

pytestmark = pytest.mark.django_db
TEXT = "天河区某派出所民警办案拖延，对我态度恶劣，请上级调查。"
NAMES = ["欧阳明", "司马红", "诸葛刚", "上官静"]


def writer(n: int) -> User:
    return citizen_create(
        real_name=NAMES[n], id_number=resident_id(f"4401061985031{n:04d}"), phone=f"1380013{n:04d}",
        password=PASSWORD, phone_verified_at=timezone.now(),
    )  # fmt: skip


def complaint(author: User, mailbox: Mailbox, unit: Unit, *, days_ago: int = 0, **extra: object) -> object:
    return receive(
        author, mailbox, letter_type=LetterType.COMPLAINT, subject="民警办案拖延", text=TEXT, accused_unit=unit,
        at=timezone.now() - dt.timedelta(days=days_ago), **extra,
    )  # fmt: skip


@pytest.fixture
def gd_inspector(guangdong: Unit) -> User:
    return make_staff("gd-inspector", department_for(guangdong, PoliceType.INSPECTION), Role.INSPECTOR)


@pytest.fixture
def tianhe_inspector(tianhe: Unit) -> User:
    return make_staff("th-inspector", tianhe, Role.INSPECTOR)


def test_the_defaults_are_three_writers_in_ninety_days() -> None:
    assert (DEFAULT_WRITERS, DEFAULT_DAYS) == (3, 90)


def test_three_writers_naming_one_unit_warn_the_inspectors_above_it(
    gd_mailbox: Mailbox, tianhe: Unit, inspector: User, gd_inspector: User, tianhe_inspector: User
) -> None:
    for n in range(3):
        complaint(writer(n), gd_mailbox, tianhe, days_ago=10 * n)
    assert early_warnings_scan() == {"raised": 1, "updated": 0}
    warning = EarlyWarning.objects.get()
    assert (warning.accused_unit, warning.writers, warning.officer_key) == (tianhe, 3, "")
    told = set(Notification.objects.filter(kind=Kind.EARLY_WARNING).values_list("recipient__username", flat=True))
    assert told == {"inspector", "gd-inspector"}  # never Tianhe's own inspector: recusal
    assert tianhe_inspector not in inspectors_above(tianhe)
    body = Notification.objects.filter(kind=Kind.EARLY_WARNING).first().body  # type: ignore[union-attr]
    assert "3" in body and tianhe.name in body and not any(name in body for name in NAMES)
    assert early_warnings_scan() == {"raised": 0, "updated": 1}  # told once
    assert Notification.objects.filter(kind=Kind.EARLY_WARNING).count() == 2


def test_two_writers_or_one_writer_three_times_or_an_old_letter_do_not_warn(gd_mailbox: Mailbox, tianhe: Unit) -> None:
    same = writer(1)
    for _ in range(3):
        complaint(same, gd_mailbox, tianhe)
    complaint(writer(2), gd_mailbox, tianhe)
    complaint(writer(3), gd_mailbox, tianhe, days_ago=DEFAULT_DAYS + 5)
    assert early_warnings_scan() == {"raised": 0, "updated": 0}


def test_a_mailboxs_own_rule_applies(gd_mailbox: Mailbox, tianhe: Unit) -> None:
    WarningRule.objects.create(mailbox=gd_mailbox, writers=2, days=30)
    complaint(writer(1), gd_mailbox, tianhe, days_ago=1)
    complaint(writer(2), gd_mailbox, tianhe, days_ago=40)
    assert early_warnings_scan()["raised"] == 0
    complaint(writer(3), gd_mailbox, tianhe, days_ago=2)
    assert early_warnings_scan()["raised"] == 1


def test_an_officer_named_by_badge_gets_a_warning_of_their_own(gd_mailbox: Mailbox, tianhe: Unit) -> None:
    for n in range(3):
        complaint(writer(n), gd_mailbox, tianhe, accused_badge_number="012345", accused_officer_name="王强")
    early_warnings_scan()
    keys = set(EarlyWarning.objects.values_list("officer_key", flat=True))
    assert keys == {"", "badge:012345"}
    assert EarlyWarning.objects.get(officer_key="badge:012345").officer == "王强 012345"


def test_the_inspectors_page_links_only_the_letters_each_may_see_and_no_writer(
    client: Client, gd_mailbox: Mailbox, guangzhou: Unit, tianhe: Unit, inspector: User, gd_inspector: User,
    acceptor: User,
) -> None:  # fmt: skip
    from tests.console.conftest import sign_in

    letters = [complaint(writer(n), gd_mailbox, tianhe) for n in range(2)]
    moved = assigned_letter(
        writer(3), gd_mailbox, acceptor, guangzhou, reason="市局统一办理", letter_type=LetterType.COMPLAINT,
        subject="民警办案拖延", text=TEXT, accused_unit=tianhe,
    )  # fmt: skip
    early_warnings_scan()

    page = sign_in(client, gd_inspector).get("/console/warnings/").content.decode()
    assert "信访预警" in page and tianhe.name in page
    for letter in [*letters, moved]:
        assert letter.tracking_number in page  # type: ignore[attr-defined]
    assert not any(name in page for name in NAMES)

    client.logout()
    page = sign_in(client, inspector).get("/console/warnings/").content.decode()
    assert moved.tracking_number in page  # transferred to Guangzhou: the city's inspector may open it
    assert all(letter.tracking_number not in page for letter in letters)  # type: ignore[attr-defined]
    assert not any(name in page for name in NAMES)
    assert 'href="/console/warnings/"' in page  # the navigation leads inspectors here


def test_the_page_is_for_inspectors(client: Client, acceptor: User) -> None:
    from tests.console.conftest import sign_in

    assert sign_in(client, acceptor).get("/console/warnings/").status_code == 403
