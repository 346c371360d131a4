from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class NoticesConfig(AppConfig):
    name = "xinfang.notices"
    verbose_name = pgettext_lazy("plural", "书面告知")
