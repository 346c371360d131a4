from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """Figures, their rollups (kept by the worker from the letters' timeline) and the assessment of units."""

    name = "xinfang.statistics"
    label = "statistics"
    verbose_name = _("统计与考核")
