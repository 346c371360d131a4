"""Attachment downloads; included by the project under ``files/``."""

from __future__ import annotations

from django.urls import path

from xinfang.pages import views_files

app_name = "files"

urlpatterns = [
    path("attachments/<uuid:public_id>/", views_files.attachment_download, name="attachment_download"),
    path("attachments/<uuid:public_id>/preview/", views_files.attachment_preview, name="attachment_preview"),
]
