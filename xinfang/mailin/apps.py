from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "xinfang.mailin"
    verbose_name = _("电子邮件来信")
