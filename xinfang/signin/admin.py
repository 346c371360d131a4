"""The second-factor devices and the sign-in lockouts in the back office, in the reader's language.

django-otp's and django-axes' own pages, with what they write in English only put through
translation: the sections of the device pages, the search help, the QR code's column and the
lockout's status column (their fields are named in ``apps.py`` and xinfang/locale/zh_Hans).
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


class TranslatedSections:
    """The sections' titles ("Identity", "Timestamps" …) through translation, by their English."""

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        sections = super().get_fieldsets(request, obj)  # type: ignore[misc]
        return [(gettext(title) if title else title, options) for title, options in sections]


class DeviceAdmin(TranslatedSections):
    search_help_text = _("按工作人员的用户名或电子邮件地址搜索")


admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
admin.site.unregister(AccessAttempt)


@admin.register(TOTPDevice)
class TOTPAdmin(DeviceAdmin, TOTPDeviceAdmin):
    @admin.display(description=_("二维码"))
    def qrcode_link(self, device: TOTPDevice) -> Any:
        return super().qrcode_link(device)


@admin.register(StaticDevice)
class StaticAdmin(DeviceAdmin, StaticDeviceAdmin):
    pass


@admin.register(AccessAttempt)
class AttemptAdmin(AccessAttemptAdmin):
    @admin.display(description=_("状态"))
    def status(self, attempt: AccessAttempt) -> str:
        return str(super().status(attempt))
