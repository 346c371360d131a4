"""The staff console under /console/ (sign-in itself is the ``signin`` app)."""

from __future__ import annotations

from django.urls import include, path

from xinfang.console import urls_desk, urls_work, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    *urls_desk.urlpatterns,
    *urls_work.urlpatterns,
    path("explanations/", include("xinfang.console.urls_explanations")),
]
