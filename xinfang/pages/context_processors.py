"""``inbox_unread`` for the page headers, counted only when a template reads it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from xinfang.accounts.models import User
from xinfang.notifications.selectors import unread_count


def inbox(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user) if isinstance(user, User) else 0)}
