"""The matrix's world is built once per module, inside a transaction rolled back at the end.

Each test still runs in its own savepoint (pytest-django's ``db``), so what a case writes (a message
marked read, an identity reveal, a notification opened) is undone before the next case. The world's
staff are signed in once; their sessions live in the module's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tests.conftest import load_the_tree
from tests.security.matrix import World, build_world
from xinfang.orgs.models import Unit


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        if not Unit.objects.exists():  # a transactional test before this module flushed the tree
            load_the_tree()
        built = build_world()
        yield built
        transaction.set_rollback(True)
