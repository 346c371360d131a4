from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import make_staff
from xinfang.accounts.demo import DEMO_PASSWORD, demo_cast
from xinfang.accounts.models import Role, User
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db

DEMO_DOC = Path(__file__).resolve().parents[2] / "docs" / "demo.md"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--no-letters", *args, stdout=out)
    return out.getvalue()


def staff(username: str) -> User:
    return User.objects.select_related("unit").get(username=username)


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


def test_docs_demo_lists_every_demo_login_with_its_name_and_the_password(tree: None) -> None:
    doc = DEMO_DOC.read_text(encoding="utf-8")
    assert DEMO_PASSWORD in doc
    for person, unit in demo_cast():
        assert f"| `{person.username}` | {person.full_name} |" in doc, person.username
        assert f"(`{unit.code}`)" in doc
