from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from xinfang.vault import key_ring


class AccountsConfig(AppConfig):
    name = "xinfang.accounts"
    verbose_name = _("账户")

    def ready(self) -> None:
        from xinfang.accounts.verification import check_identity_verification

        # Fail at start-up, not at the first sign-up, when the vault keys are missing or malformed.
        key_ring()
        checks.register(check_identity_verification, checks.Tags.security, deploy=True)
