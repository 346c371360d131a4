from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "xinfang.letters"
    verbose_name = _("信件")

    def ready(self) -> None:
        from xinfang.deadlines.signals import holiday_year_changed
        from xinfang.letters import receivers
        from xinfang.orgs.signals import unit_merged, unit_retiring

        unit_merged.connect(receivers.on_unit_merged, dispatch_uid="letters.unit_merged")
        unit_retiring.connect(receivers.on_unit_retiring, dispatch_uid="letters.unit_retiring")
        holiday_year_changed.connect(receivers.on_holiday_year_changed, dispatch_uid="letters.holiday_year_changed")
