from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "xinfang.orgs"
    verbose_name = _("单位与信箱")

    def ready(self) -> None:
        import xinfang.lookups  # noqa: F401  (registers the ``any_of`` lookup the unit-id filters use)
