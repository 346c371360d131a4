from __future__ import annotations

import pytest
from django.test import Client

from tests.console.conftest import sign_in
from xinfang.accounts.models import User


@pytest.fixture
def admin(db: None) -> User:
    """An administrator of the whole platform (Django superuser)."""
    return User.objects.create_superuser(username="root-admin", password="correct-horse-battery-staple")


@pytest.fixture
def staff_client(client: Client, admin: User) -> Client:
    sign_in(client, admin)
    return client
