"""``run_product``: links in messages use the address the product is served on, and the banner says
where text messages and e-mail land in the demo."""

from __future__ import annotations

import socket
from io import StringIO
from unittest import mock

import pytest
from django.test import override_settings

from xinfang.portal.management.commands.run_product import Command, served_at


def test_the_served_address_is_the_one_in_links() -> None:
    assert served_at("127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert served_at("8000") == "http://127.0.0.1:8000"
    assert served_at("[::1]:8000") == "http://[::1]:8000"
    assert served_at("0.0.0.0:8000") == f"http://{socket.getfqdn()}:8000"


def test_the_web_server_and_the_worker_get_the_served_address_unless_the_environment_sets_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XINFANG_SITE_URL", raising=False)
    with mock.patch("subprocess.Popen") as popen:
        Command().start("run_worker", site_url="http://192.0.2.10:9000")
        assert popen.call_args.kwargs["env"]["XINFANG_SITE_URL"] == "http://192.0.2.10:9000"
        monkeypatch.setenv("XINFANG_SITE_URL", "https://xinfang.gd.example")
        Command().start("run_worker", site_url="http://192.0.2.10:9000")
        assert popen.call_args.kwargs["env"]["XINFANG_SITE_URL"] == "https://xinfang.gd.example"


@pytest.mark.django_db
def test_the_banner_says_where_messages_land_and_where_staff_read_them_in_the_demo(tree: None) -> None:
    out = StringIO()
    with override_settings(SMS_BACKEND="file", EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"):
        Command(stdout=out).print_banner("127.0.0.1:8123")
    banner = out.getvalue()
    assert "outbox.jsonl" in banner and "http://127.0.0.1:8123/console/demo/outbox/" in banner
    out = StringIO()
    with override_settings(XINFANG_DEMO=False):
        Command(stdout=out).print_banner("127.0.0.1:8123")
    assert "/console/demo/outbox/" not in out.getvalue()
