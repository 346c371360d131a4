"""The gate in front of every staff page.

``staff_page`` lets a request through only for an active staff account that has passed its
second factor in this session (django-otp's ``is_verified``); anyone else is sent to sign in.
Every staff page carries ``Cache-Control: no-store`` (it shows personal data).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

from xinfang.accounts.models import User

View = Callable[..., HttpResponseBase]


def is_verified_staff(request: HttpRequest) -> bool:
    user = request.user
    return (
        isinstance(user, User)
        and user.is_authenticated
        and user.is_active
        and not user.is_citizen
        and bool(getattr(user, "is_verified", lambda: False)())
    )


def staff_page(view: View) -> View:
    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if isinstance(request.user, User) and request.user.is_authenticated and request.user.is_citizen:
            raise PermissionDenied
        if not is_verified_staff(request):
            return redirect_to_login(request.get_full_path())
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return gated
