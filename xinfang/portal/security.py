"""The gate in front of a citizen's own pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from xinfang.accounts.models import User

View = Callable[..., HttpResponseBase]


def signed_in_citizen(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and user.is_authenticated and user.is_active and user.is_citizen:
        return user
    return None


def citizen_page(view: View) -> View:
    """Signed-in citizens only: anyone else signs in first; a staff account is refused (staff
    work in the console). Pages are never cached: they show the citizen's own letters."""

    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if isinstance(user, User) and user.is_authenticated and not user.is_citizen:
            raise PermissionDenied
        if signed_in_citizen(request) is None:
            return redirect_to_login(request.get_full_path(), login_url=reverse("portal:sign_in"))
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return gated
