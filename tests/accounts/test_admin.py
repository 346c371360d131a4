"""The back office of the accounts: Django's user admin with kind, unit, language and roles."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests.console.conftest import sign_in
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client, admin: User) -> Client:
    sign_in(client, admin)
    return client


def page(client: Client, url: str, language: str = "zh-hans") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_user_pages_render_with_unit_kind_language_and_roles(
    staff_client: Client, handler: User, tree: None
) -> None:
    assert "handler" in page(staff_client, reverse("admin:accounts_user_changelist"))
    body = page(staff_client, reverse("admin:accounts_user_change", args=[handler.pk]), "en")
    assert 'name="kind"' in body and 'name="language"' in body
    assert "admin-autocomplete" in body and 'name="unit"' in body
    assert "Unit and language" in body
    assert "role_grants-0-role" in body
    assert "Role grant" in body
    assert page(staff_client, reverse("admin:accounts_user_add"))


def test_a_staff_account_is_created_with_its_unit_and_a_role(staff_client: Client, admin: User, tree: None) -> None:
    tianhe = Unit.objects.get(code="440106")
    data = {
        "username": "new-handler", "usable_password": "true",
        "password1": "Zr8!kq-passw0rd-long", "password2": "Zr8!kq-passw0rd-long",
        "kind": User.Kind.STAFF, "unit": tianhe.pk, "language": "zh-hans",
        "role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "0",
        "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000",
        "role_grants-0-role": Role.HANDLER,
    }  # fmt: skip
    response = staff_client.post(reverse("admin:accounts_user_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new-handler")
    assert (user.unit, user.kind, user.has_role(Role.HANDLER)) == (tianhe, User.Kind.STAFF, True)
    assert user.role_grants.get().granted_by == admin


def test_a_citizen_account_cannot_be_given_a_unit(staff_client: Client, citizen: User, tree: None) -> None:
    url = reverse("admin:accounts_user_change", args=[citizen.pk])
    data = {
        "username": citizen.username, "kind": User.Kind.CITIZEN, "language": "zh-hans",
        "unit": Unit.objects.get(code="440106").pk, "is_active": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "role_grants-TOTAL_FORMS": "0", "role_grants-INITIAL_FORMS": "0",
        "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()  # the model forbids a citizen in a unit
    citizen.refresh_from_db()
    assert citizen.unit is None


def test_an_outsider_is_refused_the_user_admin(client: Client, outsider: User, handler: User) -> None:
    sign_in(client, outsider)
    response = client.get(reverse("admin:accounts_user_change", args=[handler.pk]))
    assert response.status_code == 403  # signed in with both factors, but no back-office rights
    assert "没有后台管理权限" in response.content.decode()


def test_changing_a_role_in_the_admin_goes_through_the_roles_service(
    staff_client: Client, admin: User, handler: User, tree: None
) -> None:
    """The administrator turns the handler's grant into a leader's: the new grant is theirs, with its
    date, and both the removal and the grant are in the audit log, as with ``staff_set_roles``."""
    grant = handler.role_grants.get()
    url = reverse("admin:accounts_user_change", args=[handler.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({
        "unit": handler.unit_id, "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "1",
        "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000",
        "role_grants-0-id": grant.pk, "role_grants-0-user": handler.pk, "role_grants-0-role": Role.LEADER,
    })  # fmt: skip
    data = {name: value for name, value in data.items() if not isinstance(value, list)}
    data["is_active"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    now = handler.role_grants.get()
    assert (now.role, now.granted_by) == (Role.LEADER, admin)
    changes = AuditEntry.objects.filter(kind=AuditKind.PERMISSION_CHANGE, subject_id=str(handler.pk))
    assert changes.count() >= 2
