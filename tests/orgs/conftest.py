from __future__ import annotations

import pytest

from xinfang.accounts.models import User


@pytest.fixture
def admin(db: None) -> User:
    """An administrator of the whole platform (Django superuser)."""
    return User.objects.create_superuser(username="root-admin", password="correct-horse-battery-staple")
