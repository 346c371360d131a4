"""Notices fixtures: a writer whose name needs the rarest fonts, and the job run as the worker runs it
(the job, then the render tasks it enqueued)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import resident_id
from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.accounts.services import citizen_create
from xinfang.notices.services import notices_issue

# 𠀾 (U+2003E, CJK Extension B) and 䶮 (U+4DAE, Extension A, as in 刘䶮): names that break fonts.
RARE_NAME = "刘𠀾䶮"


@pytest.fixture
def rare_writer(db: None) -> User:
    return citizen_create(
        real_name=RARE_NAME,
        id_number=resident_id("11010519491231002"),
        phone="13900139000",
        password=PASSWORD,
        phone_verified_at=timezone.now(),
        address="广州市天河区",
    )


@pytest.fixture
def run_job() -> Callable[..., dict[str, Any]]:
    """Run the notices job the way the worker does (every minute), then the tasks it enqueued."""

    def run(**kwargs: Any) -> dict[str, Any]:
        result = notices_issue(**kwargs)
        drain()
        return result

    return run
