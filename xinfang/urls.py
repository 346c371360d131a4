"""Top-level URLs: the citizen portal at the root, the console, the API and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("console/", include("xinfang.signin.urls")),
    path("console/", include("xinfang.console.urls")),
    path("inbox/", include("xinfang.notifications.urls")),
    path("", include("xinfang.portal.urls")),
]
