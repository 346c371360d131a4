from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RoutingConfig(AppConfig):
    name = "xinfang.routing"
    verbose_name = pgettext_lazy("plural", "分流规则")
