"""Sign-in forms. The password step is Django's ``AuthenticationForm``, so django-axes sees every attempt."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import User


class PasswordForm(AuthenticationForm):
    """Username and password, through ``authenticate(request, …)``; citizens are refused like a wrong password."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。请注意区分大小写。"),
        "inactive": _("用户名或密码不正确。请注意区分大小写。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none", autofocus=True)

    def confirm_login_allowed(self, user: Any) -> None:
        if isinstance(user, User) and user.is_citizen:
            # The same message as a wrong password: this door does not say which accounts exist.
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=self.request)
            raise self.get_invalid_login_error()
        super().confirm_login_allowed(user)


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or (where allowed) a recovery code."""

    otp_token = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, digits_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.prefix:  # several code forms on one page: none takes the focus
            self.fields["otp_token"].widget.attrs.pop("autofocus")
        if digits_only:
            self.fields["otp_token"].widget.attrs.update(inputmode="numeric", pattern=r"[0-9 ]*")

    def refuse(self, message: str) -> None:
        """Show ``message`` next to the field (the code itself is not kept: it is single-use)."""
        self.add_error("otp_token", message)
        self.data = {**self.data, self.add_prefix("otp_token"): ""}
