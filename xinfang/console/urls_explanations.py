"""Console URLs for explanation requests; the console mounts them under ``explanations/``."""

from __future__ import annotations

from django.urls import path

from xinfang.console import views_explanations as views

app_name = "explanations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/withdraw/", views.request_withdraw, name="withdraw"),
    path("new/<uuid:letter_id>/", views.request_new, name="new"),
]
