from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "xinfang.signin"
    verbose_name = _("工作人员登录")

    def ready(self) -> None:
        from xinfang.signin import receivers

        receivers.connect()
