from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "xinfang.signin"
    verbose_name = _("工作人员登录")

    def ready(self) -> None:
        from xinfang.signin import receivers

        receivers.connect()
        _name_in_chinese()


def _name_in_chinese() -> None:
    """django-otp and django-axes name their apps and models in English only, and the back office
    lists them to administrators who read Chinese. Only the names shown change: migrations read
    a model's options as declared (``Options.original_attrs``), so none are asked for."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    apps.get_app_config("axes").verbose_name = _("登录锁定")
    apps.get_app_config("otp_totp").verbose_name = _("动态口令")
    apps.get_app_config("otp_static").verbose_name = _("备用验证码")
    for model, name in (
        (AccessAttempt, _("登录失败记录")),
        (AccessFailureLog, _("登录失败日志")),
        (AccessLog, _("登录日志")),
        (TOTPDevice, _("动态口令设备")),
        (StaticDevice, _("备用验证码设备")),
    ):
        model._meta.verbose_name = model._meta.verbose_name_plural = name
