"""Idle and absolute timeouts for staff sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.signin import session


class StaffSessionTimeoutMiddleware:
    """Signs a staff member out after ``SIGNIN_IDLE_MINUTES`` without a request or ``SIGNIN_ABSOLUTE_HOURS``
    after signing in, and sends them to sign in again (htmx requests get an ``HX-Redirect``).

    Placed after the message middleware so that the reason can be shown on the sign-in page.
    Citizens' sessions are left to the portal.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if SESSION_KEY in request.session:  # cheap test first: no user query for visitors
            user = request.user
            if isinstance(user, User) and user.is_authenticated and not user.is_citizen:
                reason = session.expiry_reason(request.session)
                if reason is not None:
                    return self.sign_out(request, reason)
                session.touch(request.session)
        return self.get_response(request)

    def sign_out(self, request: HttpRequest, reason: str) -> HttpResponseBase:
        logout(request)
        if reason == "idle":
            messages.info(request, _("您已较长时间未操作，为保护信息安全已自动退出，请重新登录。"))
        else:
            messages.info(request, _("登录已超过允许的最长时间，请重新登录。"))
        login = redirect_to_login(request.get_full_path())
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login["Location"]
            return response
        return login
