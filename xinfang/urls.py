"""Top-level URLs: the citizen portal at the root, the console, the API and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse
from django_otp.admin import OTPAdminSite


def _admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin is a staff page like any other: password and second factor at the console's sign-in."""
    return redirect_to_login(request.GET.get("next", reverse("admin:index")), login_url=reverse("signin:login"))


# Django's admin, but only for a session verified with the second factor (django-otp).
admin.site.__class__ = OTPAdminSite
admin.site.login = _admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("console/", include("xinfang.signin.urls")),
    path("console/", include("xinfang.console.urls")),
    path("inbox/", include("xinfang.notifications.urls")),
    path("files/", include("xinfang.letters.urls_files")),
    path("", include("xinfang.portal.urls")),
]
