"""The API describes itself (OpenAPI 3.1) and its docs page is served from our own static files."""

from __future__ import annotations

import re

from django.test import Client


def test_the_description_is_openapi_3_1_with_every_operation(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert operations == {
        ("POST", "/api/v1/letters"),
        ("POST", "/api/v1/letters/status"),
        ("POST", "/api/v1/letters/conversation"),
        ("POST", "/api/v1/letters/messages"),
        ("POST", "/api/v1/calls/screen-pop"),
        ("GET", "/api/v1/publications/{mailbox}"),
        ("GET", "/api/v1/publications/{mailbox}/{public_id}"),
    }
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation["security"], f"{method} {path} is open"
            if method == "post":
                assert any(p["name"] == "Idempotency-Key" and p["required"] for p in operation["parameters"])


def test_no_query_code_or_phone_number_travels_in_a_url(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path, item in schema["paths"].items():
        for operation in item.values():
            in_url = {p["name"] for p in operation.get("parameters", []) if p["in"] in ("path", "query")}
            assert not in_url & {"query_code", "number", "phone", "tracking_number"}, path


def test_the_docs_page_loads_nothing_from_elsewhere(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources
