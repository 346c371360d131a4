"""An identity reveal brings the next seal of the transparency log forward."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from xinfang.letters.signals import identity_revealed
from xinfang.worker.receivers import on_identity_revealed

pytestmark = pytest.mark.django_db


def test_an_identity_reveal_enqueues_a_run_of_the_log_seal() -> None:
    assert "xinfang.worker.identity_revealed" in [key[0] for key, *_ in identity_revealed.receivers]
    on_identity_revealed(sender=None)
    run = DBTaskResult.objects.get()
    assert (run.task_path, run.args_kwargs["args"]) == ("xinfang.worker.tasks.run_scheduled_job", ["log_seal"])
