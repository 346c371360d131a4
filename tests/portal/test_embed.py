"""Embedding the mailbox on a bureau's website (issue 18 §3): one script tag, a floating window or
pop-up framing a small page; frame-ancestors lets only the mailbox's own origins frame that page,
every other page keeps refusing frames. The entry links and QR codes in the mailbox admin."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.console.conftest import sign_in
from xinfang.accounts.models import User
from xinfang.orgs.forms import MailboxForm
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel

pytestmark = pytest.mark.django_db
BUREAU_SITE = "https://gat.gd.gov.cn"


@pytest.fixture
def embeddable(gd_mailbox: Mailbox) -> Mailbox:
    gd_mailbox.embed_origins = f"{BUREAU_SITE}\nhttp://localhost:8081\n"
    gd_mailbox.save()
    return gd_mailbox


def frame_ancestors(response: object) -> str:
    match = re.search(r"frame-ancestors ([^;]*)", response["Content-Security-Policy"])  # type: ignore[index]
    assert match is not None
    return match.group(1)


def test_the_embed_page_may_be_framed_by_the_mailbox_origins_only(client: Client, embeddable: Mailbox) -> None:
    response = client.get("/embed/gd/")
    assert response.status_code == 200
    assert frame_ancestors(response) == f"{BUREAU_SITE} http://localhost:8081"
    assert "X-Frame-Options" not in response
    assert "script-src 'self'" in response["Content-Security-Policy"]  # the rest of the policy is kept
    page = response.content.decode()
    assert 'href="/m/gd/" target="_blank" rel="noopener"' in page  # it opens the mailbox in a new window


def test_without_origins_the_embed_page_refuses_every_frame(client: Client, gd_mailbox: Mailbox) -> None:
    response = client.get("/embed/gd/")
    assert frame_ancestors(response) == "'none'"


@pytest.mark.parametrize("url", ["/", "/m/gd/", "/m/gd/statistics/", "/lookup/", "/account/sign-in/"])
def test_every_other_page_keeps_refusing_frames(client: Client, embeddable: Mailbox, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_script_carries_the_frame_address_the_origins_and_the_style(client: Client, embeddable: Mailbox) -> None:
    embeddable.embed_style = "popup"
    embeddable.save()
    response = client.get("/embed/gd.js", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "public" in response["Cache-Control"]
    config = json.loads(re.search(r"\}\)\((\{.*\})\);\s*$", response.content.decode(), re.S)[1])  # type: ignore[index]
    assert config["frame"] == "http://testserver/embed/gd/"
    assert config["origins"] == [BUREAU_SITE, "http://localhost:8081"]
    assert (config["style"], config["title"]) == ("popup", "广东省公安厅厅长信箱")


def test_a_mailbox_name_cannot_break_out_of_the_script(client: Client, embeddable: Mailbox) -> None:
    embeddable.name = "</script><script>alert(1)</script>"
    embeddable.save()
    body = client.get("/embed/gd.js").content.decode()
    assert "</script>" not in body and "\\u003c/script>" in body


@pytest.mark.parametrize(
    "value",
    [
        "https://gat.gd.gov.cn; script-src *",
        "https://gat.gd.gov.cn/mailbox",
        "*",
        "gat.gd.gov.cn",
        "https://*.gd.gov.cn",
        "'self'",
        "javascript:alert(1)",
    ],
)
def test_the_admin_accepts_only_plain_origins(gd_mailbox: Mailbox, value: str) -> None:
    data = {**{f: getattr(gd_mailbox, f) for f in MailboxForm.Meta.fields}, "owner": gd_mailbox.owner_id}
    form = MailboxForm({**data, "embed_origins": value}, instance=gd_mailbox)
    assert not form.is_valid() and "embed_origins" in form.errors
    good = MailboxForm({**data, "embed_origins": f"{BUREAU_SITE}\nhttp://127.0.0.1:8081"}, instance=gd_mailbox)
    assert good.is_valid(), good.errors


def test_an_origin_stored_past_the_form_never_reaches_the_header(client: Client, gd_mailbox: Mailbox) -> None:
    Mailbox.objects.filter(pk=gd_mailbox.pk).update(embed_origins=f"{BUREAU_SITE}\nhttps://x.cn; script-src *")
    assert frame_ancestors(client.get("/embed/gd/")) == BUREAU_SITE


def test_the_mailbox_admin_shows_the_menu_entry_links_qr_codes_and_the_embed_tag(
    client: Client, gd_mailbox: Mailbox
) -> None:
    admin = User.objects.create_superuser(username="root-admin", password="correct-horse-battery-staple")
    gd_mailbox.channels = [Channel.WEB, Channel.WECHAT]
    gd_mailbox.save()
    sign_in(client, admin)
    page = client.get(reverse("admin:orgs_mailbox_change", args=[gd_mailbox.pk])).content.decode()
    assert "http://127.0.0.1:8000/m/gd/?ch=wechat" in page
    assert "http://127.0.0.1:8000/m/gd/?ch=weibo" in page
    assert page.count('role="img" aria-label=') >= 2 and page.count("<svg") >= 2  # the QR codes, inline
    assert "本信箱未开通此渠道" in page  # Weibo is not open for this mailbox
    assert "&lt;script src=&quot;http://127.0.0.1:8000/embed/gd.js&quot; async&gt;&lt;/script&gt;" in page
