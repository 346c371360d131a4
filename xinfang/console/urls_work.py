"""Console URLs for handlers, leaders and inspectors, and the letter page."""

from __future__ import annotations

from django.urls import URLPattern, path

from xinfang.console import views_oversight as o
from xinfang.console import views_work as v

urlpatterns: list[URLPattern] = [
    path("work/", v.workspace, name="work"),
    path("letters/<uuid:public_id>/", v.letter_page, name="letter"),
    path("letters/<uuid:public_id>/do/<slug:action>/", v.letter_action, name="letter_action"),
    path("approvals/", o.approvals, name="approvals"),
    path("important/", o.important, name="important"),
    path("supervision/", o.supervision, name="supervision"),
    path("supervision/letters/", o.supervision_letters, name="supervision_letters"),
    path("supervision/orders/", o.supervision_orders, name="supervision_orders"),
]
