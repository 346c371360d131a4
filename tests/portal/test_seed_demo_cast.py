"""``seed_demo`` without letters, seeded once for the module: the cast the demo signs in with.

(The tests that seed into a database in some other state are in test_seed_demo.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.conftest import rows_for_the_module
from tests.console.conftest import sign_in
from tests.portal.test_seed_demo import seed, staff
from xinfang.accounts.demo import DEMO_PASSWORD
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry, TreeHead
from xinfang.orgs.choices import PoliceType, UnitLevel
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cast(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """What ``seed_demo --no-letters`` printed, into a database that had no transparency log yet."""
    with rows_for_the_module(django_db_blocker):
        assert not TreeHead.objects.exists()
        yield seed()


def test_the_national_platform_and_guangdong_get_their_staff(cast: str) -> None:
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


def test_every_guangdong_city_has_an_acceptor_handler_leader_and_inspector(cast: str) -> None:
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


def test_the_cast_has_distinct_chinese_names_and_the_documented_password(cast: str) -> None:
    users = list(User.objects.filter(kind=User.Kind.STAFF))
    names = [u.first_name for u in users]
    assert len(users) > 100
    assert len(set(names)) == len(names)
    assert all(2 <= len(n) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)
    assert all(u.username.isascii() for u in users)
    assert User.objects.get(username="guangzhou-inspector").check_password(DEMO_PASSWORD)


def test_the_demo_administrator_reaches_the_django_admin_with_both_factors(cast: str) -> None:
    admin_user = User.objects.get(username="gd-admin")
    assert admin_user.check_password(DEMO_PASSWORD)
    assert Client().get("/admin/login/?next=/admin/")["Location"] == "/console/login/?next=/admin/"
    password_only = Client()
    password_only.force_login(admin_user)
    assert password_only.get("/admin/").status_code == 302  # no second factor, no admin
    assert sign_in(Client(), admin_user).get("/admin/").status_code == 200


def test_a_demo_acceptor_is_refused_by_the_django_admin(cast: str) -> None:
    client = sign_in(Client(), User.objects.get(username="gd-acceptor"))
    assert client.get("/admin/").status_code == 403  # a clear refusal, not a redirect loop (issue 13 item 12)


def test_the_demo_log_is_sealed_at_once_so_receipts_verify_without_waiting_for_the_worker(cast: str) -> None:
    head = TreeHead.objects.get()
    assert head.tree_size == AuditEntry.objects.count() > 0
    assert f"transparency log sealed: {head.tree_size} entries" in cast
