"""The publication pages under /console/publication/."""

from __future__ import annotations

from django.urls import path

from xinfang.console import views_publication

urlpatterns = [
    path("", views_publication.candidates, name="publication"),
    path("approvals/", views_publication.approvals, name="publication_approvals"),
    path("letters/<uuid:public_id>/propose", views_publication.propose, name="publication_propose"),
    path("<uuid:public_id>/", views_publication.detail, name="publication_detail"),
]
