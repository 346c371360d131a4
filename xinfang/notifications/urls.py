"""The in-product inbox for citizens (portal) and staff (console)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "notifications"

urlpatterns: list[URLPattern] = []
