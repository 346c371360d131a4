"""Console URLs for the telephone seats and the front desk."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
