"""Who is acting, for audit receivers whose signal does not say.

Django's ``post_delete`` of a role grant or ``post_save`` of a user carry no acting user; when
they happen during a request (an administrator in the admin) the signed-in user of that request
is the actor. Outside a request (a command, the worker) there is none and the row says so.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponseBase

from xinfang.accounts.models import User

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_current_request", default=None)


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def request_actor() -> User | None:
    """The signed-in user of the request being served on this thread, if any."""
    user = getattr(_current_request.get(), "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None
