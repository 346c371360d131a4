"""GeoReport v2's two formats: the same data as JSON or as XML with the specification's element
names (a list's items are named by ``ITEM``: ``<services><service>``, ``<attributes><attribute>``),
and its error shape, ``[{"code", "description"}]`` / ``<errors><error>``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET  # building XML, never parsing it

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def w3c(moment: dt.datetime | None) -> str | None:
    """A datetime as the specification writes it (W3C, with the offset), in the product's time zone."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment is not None else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEM[element.tag]), item)
    else:
        element.text = _text(value)


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``<root>`` (a list's items named by ``ITEM[root]``)."""
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    element = ET.Element(root)
    _fill(element, data)
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


class Open311Error(Exception):
    """A refusal answered with ``status`` and Open311's error list, one entry per description
    (``code`` is the HTTP status)."""

    def __init__(self, status: int, description: str, *more: str) -> None:
        super().__init__(description)
        self.status, self.descriptions = status, [description, *more]

    def response(self, fmt: str) -> HttpResponse:
        errors = [{"code": self.status, "description": description} for description in self.descriptions]
        return respond(fmt, "errors", errors, self.status)
