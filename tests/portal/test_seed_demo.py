from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.notifications.conftest import drain
from xinfang.accounts.demo import DEMO_PASSWORD, demo_cast
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry, TreeHead
from xinfang.letters.models import Letter, LetterState
from xinfang.notifications import sms
from xinfang.notifications.models import Delivery, Notification
from xinfang.orgs.choices import PoliceType, UnitLevel
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication.models import Publication, PublicationState
from xinfang.statistics.models import Grain, Rollup

pytestmark = pytest.mark.django_db

DEMO_DOC = Path(__file__).resolve().parents[2] / "docs" / "demo.md"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--no-letters", *args, stdout=out)
    return out.getvalue()


def staff(username: str) -> User:
    return User.objects.select_related("unit").get(username=username)


def test_the_national_platform_and_guangdong_get_their_staff(tree: None) -> None:
    seed()
    expected = {
        "mps-seat": (Role.SEAT_AGENT, "MPS-discipline"),
        "mps-acceptor": (Role.ACCEPTOR, "MPS-discipline"),
        "mps-inspector": (Role.INSPECTOR, "MPS-discipline"),
        "gd-seat": (Role.SEAT_AGENT, "440000"),
        "gd-acceptor": (Role.ACCEPTOR, "440000"),
        "gd-leader": (Role.LEADER, "440000"),
        "gd-inspector": (Role.INSPECTOR, "440000-inspection"),
        "gd-publisher": (Role.PUBLISHER, "440000"),
        "gd-analyst": (Role.ANALYST, "440000"),
        "gd-admin": (Role.ADMINISTRATOR, "440000"),
        "tianhe-handler": (Role.HANDLER, "440106"),
        "tianhe-leader": (Role.LEADER, "440106"),
        "futian-handler": (Role.HANDLER, "440304"),
    }
    for username, (role, unit_code) in expected.items():
        user = staff(username)
        assert user.role_set == {role}, username
        assert user.unit is not None and user.unit.code == unit_code, username
        assert user.kind == User.Kind.STAFF and user.language == "zh-hans"


def test_every_guangdong_city_has_an_acceptor_handler_leader_and_inspector(tree: None) -> None:
    seed()
    cities = Unit.objects.filter(level=UnitLevel.PREFECTURE, kind="bureau", division_code__startswith="44")
    assert cities.count() == 21
    for city in cities:
        in_city = User.objects.filter(unit__path__startswith=city.path, unit__level=UnitLevel.PREFECTURE)
        people = {u.role_set: u for u in in_city}
        assert set(people) >= {frozenset({r}) for r in (Role.ACCEPTOR, Role.HANDLER, Role.LEADER, Role.INSPECTOR)}
        inspector_unit = people[frozenset({Role.INSPECTOR})].unit
        assert inspector_unit is not None
        assert inspector_unit.bureau_of_department == city and inspector_unit.police_type == PoliceType.INSPECTION
    assert staff("guangzhou-handler").unit == Unit.objects.get(code="440100")
    assert staff("dongguan-handler").unit == Unit.objects.get(code="441900")


def test_the_cast_has_distinct_chinese_names_and_the_documented_password(tree: None) -> None:
    seed()
    users = list(User.objects.filter(kind=User.Kind.STAFF))
    names = [u.first_name for u in users]
    assert len(users) > 100
    assert len(set(names)) == len(names)
    assert all(2 <= len(n) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)
    assert all(u.username.isascii() for u in users)
    assert User.objects.get(username="guangzhou-inspector").check_password(DEMO_PASSWORD)


def test_if_empty_does_nothing_the_second_time(tree: None) -> None:
    seed("--if-empty")
    count = User.objects.count()
    output = seed("--if-empty")
    assert "not seeded" in output
    assert User.objects.count() == count


def test_if_empty_leaves_a_deployment_with_real_staff_alone(acceptor: User) -> None:
    seed("--if-empty")
    assert list(User.objects.filter(kind=User.Kind.STAFF)) == [acceptor]


def test_without_if_empty_it_keeps_existing_accounts_and_adds_the_missing(guangzhou: Unit) -> None:
    mine = make_staff("gd-acceptor", guangzhou, Role.HANDLER)
    output = seed()
    assert "1 already there" in output
    assert staff("gd-acceptor").unit == guangzhou and staff("gd-acceptor").role_set == {Role.HANDLER}
    assert staff("gd-acceptor").password == mine.password
    assert User.objects.filter(username="gd-leader").exists()
    assert "0 created" in seed()


def test_the_demo_administrator_reaches_the_django_admin_with_both_factors(tree: None) -> None:
    seed()
    admin_user = User.objects.get(username="gd-admin")
    assert admin_user.check_password(DEMO_PASSWORD)
    assert Client().get("/admin/login/?next=/admin/")["Location"] == "/console/login/?next=/admin/"
    password_only = Client()
    password_only.force_login(admin_user)
    assert password_only.get("/admin/").status_code == 302  # no second factor, no admin
    assert sign_in(Client(), admin_user).get("/admin/").status_code == 200


def test_a_demo_acceptor_is_refused_by_the_django_admin(tree: None) -> None:
    seed()
    client = sign_in(Client(), User.objects.get(username="gd-acceptor"))
    assert client.get("/admin/").status_code == 403  # a clear refusal, not a redirect loop (issue 13 item 12)


def test_docs_demo_lists_every_demo_login_with_its_name_and_the_password(tree: None) -> None:
    doc = DEMO_DOC.read_text(encoding="utf-8")
    assert DEMO_PASSWORD in doc
    for person, unit in demo_cast():
        assert f"| `{person.username}` | {person.full_name} |" in doc, person.username
        assert f"(`{unit.code}`)" in doc


def test_the_demo_log_is_sealed_at_once_so_receipts_verify_without_waiting_for_the_worker(tree: None) -> None:
    assert not TreeHead.objects.exists()

    out = seed()

    head = TreeHead.objects.get()
    assert head.tree_size == AuditEntry.objects.count() > 0
    assert f"transparency log sealed: {head.tree_size} entries" in out


def test_the_demo_counts_its_letters_so_the_public_figures_are_not_empty(tree: None) -> None:
    out = StringIO()
    call_command("seed_demo", "--letters", "40", stdout=out)
    assert "statistics rollup:" in out.getvalue()
    gd = Mailbox.objects.get(slug="gd")
    assert gd.greeting and gd.office_phone  # the demo mailbox page has a greeting and the office
    received = Rollup.objects.filter(grain=Grain.MONTH, dim="mailbox").aggregate(n=Sum("received"))["n"]
    assert received == Letter.objects.count() > 0
    busiest = Letter.objects.values_list("mailbox", flat=True).first()
    mailbox = Mailbox.objects.get(pk=busiest)
    page = Client().get(f"/m/{mailbox.slug}/statistics/").content.decode()
    total = re.search(r'<tr data-month="total"><th scope="row">[^<]*</th><td class="num">(\d+)</td>', page)
    assert total is not None and int(total.group(1)) == Letter.objects.filter(mailbox=mailbox).count() > 0


def test_the_demo_publishes_consenting_replied_letters_through_the_workflow(tree: None) -> None:
    out = StringIO()
    call_command("seed_demo", "--letters", "300", stdout=out)

    published = Publication.objects.filter(state=PublicationState.PUBLISHED).select_related("letter", "mailbox")
    assert published.exists(), out.getvalue()
    assert f"demo publications: {published.count()} letters published" in out.getvalue()
    for publication in published:
        assert publication.letter.consent_to_publish and publication.letter.replied_at is not None
        assert publication.published_by is not None and publication.published_by.username == "gd-leader"
    first = published.first()
    assert first is not None
    page = Client().get(f"/m/{first.mailbox.slug}/published/").content.decode()
    assert first.title in page  # a new user sees it on the mailbox's public list


def test_the_demo_letters_read_true_and_their_past_is_in_the_inboxes_without_sms_or_email(tree: None) -> None:
    """A city's mailbox has letters about that city; nothing waits at a desk or with a handler for
    months; the seeded past notifies the inboxes, and no SMS or e-mail goes out about it."""
    call_command("seed_demo", "--letters", "150", stdout=StringIO())

    city_letters = Letter.objects.filter(mailbox__owner__level=UnitLevel.PREFECTURE).select_related("mailbox__owner")
    assert city_letters.exists()
    for letter in city_letters:
        assert letter.division_code[:4] == letter.mailbox.owner.division_code[:4], letter.tracking_number
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    long_overdue = Letter.objects.filter(
        state__in=[LetterState.RECEIVED, LetterState.ACCEPTED, LetterState.ASSIGNED, LetterState.IN_HANDLING],
        current_due__lt=month_ago,
    )
    assert list(long_overdue.values_list("tracking_number", "state", "current_due")) == []

    drain()  # what the worker does on first start
    assert Notification.objects.filter(recipient__kind=User.Kind.CITIZEN).exists()
    assert not Delivery.objects.exists()
    assert sms.outbox == [] and mail.outbox == []
