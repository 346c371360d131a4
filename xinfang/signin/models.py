"""Which sessions belong to which staff member, so that disabling an account can end them at once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffSession(models.Model):
    """A signed-in staff session: written at sign-in, removed at sign-out or when the account is disabled.

    The session store cannot be searched by user without decoding every session; this index can.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions", verbose_name=_("用户")
    )
    session_key = models.CharField(_("会话标识"), max_length=40, unique=True)
    signed_in_at = models.DateTimeField(_("登录时间"))

    class Meta:
        verbose_name = _("工作人员会话")
        verbose_name_plural = _("工作人员会话")

    def __str__(self) -> str:
        return f"session of user {self.user_id} since {self.signed_in_at:%Y-%m-%d %H:%M}"
