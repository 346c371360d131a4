"""Top-level URLs: the citizen portal at the root, the console, the API and the admin."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from django_otp.admin import OTPAdminSite

from xinfang.pages.gates import is_verified_staff


def _without_back_office(request: HttpRequest) -> bool:
    """Signed in with both factors, but not an administrator: the sign-in page cannot help them."""
    return is_verified_staff(request) and not request.user.is_staff


def _back_office_forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "back_office_forbidden.html", status=403)


def _admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin is a staff page like any other: password and second factor at the console's sign-in."""
    if _without_back_office(request):
        return _back_office_forbidden(request)
    return redirect_to_login(request.GET.get("next", reverse("admin:index")), login_url=reverse("signin:login"))


class BackOfficeSite(OTPAdminSite):
    """Django's admin, but only for a session verified with the second factor (django-otp). A verified
    member of staff without administrator rights gets a page saying so, not the way to the sign-in
    (which would send them straight back here)."""

    site_title = gettext_lazy("公安信访管理后台")
    site_header = gettext_lazy("公安信访管理后台")

    def admin_view(self, view: Callable[..., HttpResponse], cacheable: bool = False) -> Callable[..., HttpResponse]:
        admitted = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if _without_back_office(request):
                return _back_office_forbidden(request)
            return admitted(request, *args, **kwargs)

        return update_wrapper(inner, admitted)


def _favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page links: the icon of ``<link rel="icon">`` (not a
    permanent redirect: the static file's name changes with its content)."""
    return HttpResponseRedirect(static("favicon.svg"))


admin.site.__class__ = BackOfficeSite
admin.site.login = _admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("favicon.ico", _favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("console/demo/", include("xinfang.pages.urls_demo")),
    path("console/", include("xinfang.signin.urls")),
    path("console/", include("xinfang.console.urls")),
    path("inbox/", include("xinfang.pages.urls_inbox")),
    path("files/", include("xinfang.pages.urls_files")),
    path("api/", include("xinfang.api.urls")),
    path("open311/v2/", include("xinfang.open311.urls")),
    path("", include("xinfang.portal.urls")),
]
