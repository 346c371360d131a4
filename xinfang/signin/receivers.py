"""Sign-in bookkeeping on Django's own authentication signals (connected in ``SigninConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.signin import services, session


def on_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Start the session clocks and remember the session, so that disabling the account can end it."""
    if request is None or not hasattr(request, "session") or user.is_citizen:
        return
    session.stamp_sign_in(request.session)
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    if key is not None:
        services.staff_session_record(user=user, session_key=key, at=timezone.now())


def on_logged_out(sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session") and request.session.session_key:
        services.staff_session_forget(session_key=request.session.session_key)


def on_user_saved(sender: object, instance: User, raw: bool, **kwargs: Any) -> None:
    """However an account is disabled (the admin site, a script), its recorded sessions end with it."""
    if not raw and not instance.is_active:
        services.staff_sessions_end(user=instance)


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="signin.on_logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="signin.on_logged_out")
    post_save.connect(on_user_saved, sender=User, dispatch_uid="signin.on_user_saved")
