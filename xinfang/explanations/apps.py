from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExplanationsConfig(AppConfig):
    name = "xinfang.explanations"
    verbose_name = _("情况说明")
