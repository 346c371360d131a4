"""The inbox: one for a signed-in citizen (portal look) and, behind the staff gate, one for staff.

The same three URLs serve both; who is asking decides which page answers. Someone not signed in
is sent to sign in (staff pages also demand the second factor).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xinfang.accounts.models import User
from xinfang.notifications import selectors
from xinfang.notifications.services import notifications_mark_read
from xinfang.pages.gates import View, staff_page
from xinfang.pages.paging import capped_page

PAGE_SIZE = 30


def _is_citizen(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and request.user.is_authenticated and request.user.is_citizen


def by_audience(view: View) -> View:
    """Serve ``view`` to citizens signed in to the portal, and to staff through ``staff_page``."""
    for_citizens = never_cache(login_required(view))
    for_staff = staff_page(view)

    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:  # links in SMS reach citizens: the portal's sign-in
            return redirect_to_login(request.get_full_path(), login_url=reverse("portal:sign_in"))
        chosen = for_citizens if _is_citizen(request) else for_staff
        return chosen(request, *args, **kwargs)

    return dispatch


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _template(request: HttpRequest, name: str) -> str:
    return f"notifications/{'portal' if _is_citizen(request) else 'console'}_{name}.html"


@by_audience
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = capped_page(selectors.inbox(user), PAGE_SIZE, request.GET.get("page"))
    context = {"page": page, "unread": selectors.unread_count(user)}
    return render(request, _template(request, "inbox"), context)


@by_audience
def open_notification(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Show one notification in full and mark it read (opening a message is reading it)."""
    user = _user(request)
    notification = selectors.notification_for(user, str(public_id))
    notifications_mark_read(user=user, public_id=notification.public_id)
    context = {
        "notification": notification,
        "letter_url": selectors.letter_url(notification, user),
        "explanation_url": selectors.explanation_url(notification, user),
    }
    return render(request, _template(request, "detail"), context)


@by_audience
@require_POST
def read_all(request: HttpRequest) -> HttpResponseBase:
    notifications_mark_read(user=_user(request))
    return redirect("notifications:inbox")
