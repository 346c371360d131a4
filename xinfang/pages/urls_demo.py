"""The demo's pages for staff; included by the project under ``console/demo/``."""

from __future__ import annotations

from django.urls import path

from xinfang.pages import views_demo

app_name = "demo"

urlpatterns = [
    path("outbox/", views_demo.outbox, name="outbox"),
]
