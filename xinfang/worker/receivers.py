"""Signal receivers: runs of scheduled jobs that an event brings forward."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from xinfang.worker import tasks


def on_identity_revealed(sender: object, **kwargs: Any) -> None:
    """Seal the transparency log right after the reveal is recorded, not at the next interval: the
    entry that someone saw a writer's identity is then under a signed head within seconds."""
    with transaction.atomic(savepoint=False):
        tasks.run_scheduled_job.enqueue("log_seal")
