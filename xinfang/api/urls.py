"""The partner API's URLs: ``/api/v1/`` (the OpenAPI description at ``openapi.json``, the docs at ``docs``)."""

from __future__ import annotations

from django.urls import path

from xinfang.api.v1 import api

urlpatterns = [path("v1/", api.urls)]
