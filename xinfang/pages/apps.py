from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """Pages shared by several audiences: the staff gate, attachment downloads and the inbox.

    An interface app like ``portal`` and ``console``, but for pages that citizens and staff both reach.
    """

    name = "xinfang.pages"
    label = "pages"
    verbose_name = _("共用页面")
