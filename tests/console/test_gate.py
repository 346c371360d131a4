from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from xinfang.accounts.models import User


def test_a_staff_page_sends_a_visitor_to_sign_in(client: Client, tree: None) -> None:
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


def test_a_password_alone_does_not_open_the_console(client: Client, handler: User) -> None:
    client.force_login(handler)
    response = client.get("/console/")
    assert response.status_code == 302


def test_a_citizen_is_refused(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    assert client.get("/console/").status_code == 403


def test_both_factors_open_the_console_and_it_is_never_cached(
    console_client: Callable[[User], Client], handler: User
) -> None:
    response = console_client(handler).get("/console/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
