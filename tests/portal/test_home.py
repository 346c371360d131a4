from __future__ import annotations

from html import unescape

import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_lists_the_national_platform_and_guangdong_mailboxes(client: Client, tree: None) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    body = response.content.decode()
    assert response.status_code == 200
    assert "12389 公安机关和人民警察违法违纪举报平台" in body
    assert "广东省公安厅厅长信箱" in body
    assert "广州市公安局局长信箱" in body


@pytest.mark.django_db
def test_home_speaks_english_to_an_english_browser(client: Client, tree: None) -> None:
    body = unescape(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Director's Mailbox, Department of Public Security of Guangdong Province" in body
    assert "Write to the public security organs" in body
    assert 'lang="en"' in body


@pytest.mark.django_db
def test_the_language_switch_keeps_the_choice(client: Client, tree: None) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Write to the public security organs" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
