"""What the console's page families share: who is asking (and in which role), paging, and list rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from xinfang.accounts.models import Role, User
from xinfang.accounts.selectors import WriterIdentity
from xinfang.console import selectors_work as sel
from xinfang.letters.models import Extension, Letter
from xinfang.pages.paging import capped_page
from xinfang.routing.engine import Proposal

WORK_ROLES = (Role.HANDLER, Role.LEADER)  # who has the handler workspace
# Who may open each page of the work family; the navigation (work_tags.work_pages) shows exactly these.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "work": WORK_ROLES,
    "approvals": (Role.LEADER,),
    "important": (Role.LEADER,),
    "supervision": (Role.INSPECTOR,),
}


def staff_user(request: HttpRequest, role: str) -> User:
    """The signed-in staff user, who must hold ``role`` (403 otherwise)."""
    user = request.user
    if not isinstance(user, User) or not user.has_role(role):
        raise PermissionDenied
    return user


def signed_in(request: HttpRequest) -> User:
    """The signed-in staff user (``staff_page`` lets only them through)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def pages_for(user: User) -> set[str]:
    """The pages of :data:`PAGE_ROLES` that ``user`` may open."""
    return {page for page, roles in PAGE_ROLES.items() if set(roles) & user.role_set}


def roles_required(*roles: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """403 unless the (already verified) staff user holds one of ``roles``."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not set(roles) & signed_in(request).role_set:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorate


def paginate(request: HttpRequest, items: QuerySet[Any] | list[Any], size: int) -> Page[Any]:
    """A page of a work list, counting no further than ``pages.paging.COUNT_CAP`` rows ("more than N")."""
    return capped_page(items, size, request.GET.get("page"))


@dataclass(frozen=True)
class Row:
    """A letter in a seat's or the desk's list, with its writer masked (and, at the desk, the routing proposal)."""

    letter: Letter
    writer: WriterIdentity
    proposal: Proposal | None = None

    @property
    def days_left(self) -> int | None:
        due = self.letter.current_due
        return None if due is None else (due - timezone.localdate()).days

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= settings.XINFANG_DUE_SOON_DAYS

    @property
    def days_overdue(self) -> int:
        return -(self.days_left or 0)


@dataclass(frozen=True)
class WorkRow:
    """A letter in a work list with its traffic light."""

    letter: Letter
    light: sel.Light
    extension: Extension | None = None
    forms: dict[str, forms.Form] = field(default_factory=dict)


def work_rows(page: Page[Letter]) -> list[WorkRow]:
    day = sel.today()
    return [WorkRow(letter, sel.light_of(letter.current_due, on=day)) for letter in page]
