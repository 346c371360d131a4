from __future__ import annotations

from django.apps import AppConfig
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "xinfang.signin"
    verbose_name = _("工作人员登录")

    def ready(self) -> None:
        from xinfang.signin import receivers

        receivers.connect()
        _name_in_chinese()
        _mark_otp_labels_for_translation()


def _name_in_chinese() -> None:
    """django-otp and django-axes name their apps and models in English only, and the back office
    lists them to administrators who read Chinese. Only the names shown change: migrations read
    a model's options as declared (``Options.original_attrs``), so none are asked for."""
    from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    apps.get_app_config("axes").verbose_name = _("登录锁定")
    apps.get_app_config("otp_totp").verbose_name = _("动态口令")
    apps.get_app_config("otp_static").verbose_name = _("备用验证码")
    for model, name in (
        (AccessAttempt, _("登录失败记录")),
        (AccessAttemptExpiration, _("登录锁定期限")),
        (AccessFailureLog, _("登录失败日志")),
        (AccessLog, _("登录日志")),
        (TOTPDevice, _("动态口令设备")),
        (StaticDevice, _("备用验证码设备")),
        (StaticToken, _("备用验证码")),
    ):
        model._meta.verbose_name = model._meta.verbose_name_plural = name


def _mark_otp_labels_for_translation() -> None:
    """django-otp labels and explains its fields in English without marking them for translation.
    Marked here with the English as the message id (the Chinese is in xinfang/locale/zh_Hans): a
    migration reads a field as declared, with translation off, so it sees the same English."""
    from django.apps import apps

    for label in ("otp_totp", "otp_static"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field.verbose_name, Promise):
                    field.verbose_name = _(str(field.verbose_name))
                if field.help_text and not isinstance(field.help_text, Promise):
                    field.help_text = _(field.help_text)
