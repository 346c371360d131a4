"""The in-product inbox for citizens (portal look) and staff (console look); included under ``inbox/``."""

from __future__ import annotations

from django.urls import path

from xinfang.pages import views_inbox

app_name = "notifications"

urlpatterns = [
    path("", views_inbox.inbox, name="inbox"),
    path("read-all/", views_inbox.read_all, name="read_all"),
    path("<uuid:public_id>/", views_inbox.open_notification, name="open"),
]
