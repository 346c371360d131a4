"""Console URLs for handlers, leaders and inspectors, and the letter page."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
