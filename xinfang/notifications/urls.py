"""The in-product inbox for citizens (portal) and staff (console)."""

from __future__ import annotations

from django.urls import path

from xinfang.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.read_all, name="read_all"),
    path("<uuid:public_id>/", views.open_notification, name="open"),
]
