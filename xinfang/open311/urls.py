"""Open311 GeoReport v2's URLs, each ending ``.json`` or ``.xml`` (``/open311/v2/services.json``)."""

from __future__ import annotations

from django.urls import re_path

from xinfang.open311 import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[-a-zA-Z0-9_]{1,80})" + FMT, views.service_definition, name="service_definition"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[-A-Za-z0-9]{1,40})" + FMT, views.request_detail, name="request"),
]
