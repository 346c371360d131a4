from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "xinfang.api"
    verbose_name = _("接口")

    def ready(self) -> None:
        """Put the pruning of the idempotency keys on the worker's schedule. The worker may not import
        an interface app, so the API adds its own job (``worker.schedule``, "Jobs of interface apps")."""
        from xinfang.worker.schedule import JOBS, Job

        JOBS["idempotency_keys_prune"] = Job(_keys_prune, 3600)


def _keys_prune() -> object:
    from xinfang.api.idempotency import keys_prune

    return {"deleted": keys_prune()}
