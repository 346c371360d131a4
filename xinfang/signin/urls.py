"""Staff sign-in under /console/: password, second factor, sign-out."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "signin"

urlpatterns: list[URLPattern] = []
