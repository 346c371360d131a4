"""Every page names the product's icon, and browsers asking for /favicon.ico find it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


@pytest.mark.django_db
def test_pages_link_the_icon_and_favicon_ico_leads_to_it(tree: None) -> None:
    home = Client().get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in home
    response = Client().get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
    icon = finders.find("favicon.svg")
    assert isinstance(icon, str) and "<svg" in Path(icon).read_text(encoding="utf-8")
