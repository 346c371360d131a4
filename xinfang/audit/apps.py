from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "xinfang.audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from xinfang.audit import receivers

        receivers.connect()
