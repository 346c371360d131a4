"""A disabled account loses its sessions at once."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client

from tests.signin.conftest import HOME, LOGIN, Enrolled, sign_in
from xinfang.accounts.models import User
from xinfang.accounts.signals import staff_disabled
from xinfang.signin.models import StaffSession
from xinfang.signin.services import staff_disable


def test_disabling_an_account_ends_every_one_of_its_sessions(staff: Enrolled, leader: User) -> None:
    desk, laptop, colleague = Client(), Client(), Client()
    sign_in(desk, staff)
    sign_in(laptop, staff, steps_ahead=1)
    colleague.force_login(leader)
    assert StaffSession.objects.filter(user=staff.user).count() == 2
    staff_disable(user=staff.user, actor=leader)
    for client in (desk, laptop):
        assert client.get(HOME)["Location"].startswith(LOGIN)
    assert not StaffSession.objects.filter(user=staff.user).exists()
    assert not Session.objects.filter(session_key__in=[desk.session.session_key, laptop.session.session_key]).exists()
    assert StaffSession.objects.filter(user=leader).count() == 1  # nobody else is signed out
    staff.user.refresh_from_db()
    assert not staff.user.is_active


def test_disabling_is_announced_for_the_audit(staff: Enrolled, leader: User) -> None:
    heard: list[dict[str, object]] = []

    def receive(sender: object, **kwargs: object) -> None:
        heard.append(kwargs)

    staff_disabled.connect(receive)
    try:
        sign_in(Client(), staff)
        staff_disable(user=staff.user, actor=leader)
    finally:
        staff_disabled.disconnect(receive)
    assert heard == [{"signal": staff_disabled, "user": staff.user, "actor": leader, "sessions_ended": 1}]


def test_setting_is_active_false_alone_sends_the_next_request_to_sign_in(client: Client, staff: Enrolled) -> None:
    sign_in(client, staff)
    User.objects.filter(pk=staff.user.pk).update(is_active=False)
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_signing_out_forgets_the_session(client: Client, staff: Enrolled) -> None:
    sign_in(client, staff)
    client.post("/console/logout/")
    assert not StaffSession.objects.filter(user=staff.user).exists()


def test_an_account_disabled_any_other_way_loses_its_sessions_too(client: Client, staff: Enrolled) -> None:
    """The admin site saves the user with ``is_active=False``: the sessions end all the same."""
    sign_in(client, staff)
    key = client.session.session_key
    staff.user.is_active = False
    staff.user.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert not StaffSession.objects.filter(user=staff.user).exists()
