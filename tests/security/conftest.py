"""The matrix's world is built once per module, inside a transaction rolled back at the end.

Each test still runs in its own savepoint (pytest-django's ``db``), so what a case writes (a message
marked read, an identity reveal, a notification opened) is undone before the next case. The world's
staff are signed in once; their sessions live in the module's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import rows_for_the_module
from tests.security.matrix import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with rows_for_the_module(django_db_blocker):
        yield build_world()
