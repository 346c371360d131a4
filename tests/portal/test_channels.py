"""The channel is recorded per letter, from the entry it was written through (issue 18 §3): a WeChat
or Weibo menu link (``?ch=``) is carried from the mailbox page into that one write form, signed for
that mailbox; a later letter written from a form opened without it is a web letter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.portal.test_write import FORM
from xinfang.accounts.models import User
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox
from xinfang.portal.channels import entry_token
from xinfang.vocabulary import Channel

pytestmark = pytest.mark.django_db


def write_link(client: Client, query: str = "") -> str:
    page = client.get(f"/m/gd/{query}").content.decode()
    match = re.search(r'href="(/m/gd/write/[^"]*)"', page)
    assert match is not None
    return match.group(1).replace("&amp;", "&")


def token_in(client: Client, url: str) -> str:
    form = client.get(url).content.decode()
    match = re.search(r'name="channel" value="([^"]*)"', form)
    assert match is not None
    return match.group(1)


def submit(client: Client, token: str, **changes: Any) -> Letter:
    before = set(Letter.objects.values_list("pk", flat=True))
    response = client.post("/m/gd/write/", {**FORM, "channel": token, **changes})
    assert response.status_code == 302, response.content.decode()[:500]
    return Letter.objects.exclude(pk__in=before).get()


@pytest.mark.parametrize("channel", ["wechat", "weibo"])
def test_a_letter_written_from_a_menu_link_records_that_channel(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox, channel: str
) -> None:
    link = write_link(citizen_client, f"?ch={channel}")
    assert link == f"/m/gd/write/?ch={channel}"
    letter = submit(citizen_client, token_in(citizen_client, link))
    assert letter.channel == channel


def test_a_later_desktop_letter_in_the_same_session_is_a_web_letter(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    first = submit(citizen_client, token_in(citizen_client, write_link(citizen_client, "?ch=wechat")))
    second = submit(citizen_client, token_in(citizen_client, write_link(citizen_client)))
    assert (first.channel, second.channel) == (Channel.WECHAT, Channel.WEB)
    assert "portal_channel" not in citizen_client.session


def test_the_channel_survives_signing_in_on_the_way_to_the_form(client: Client, gd_mailbox: Mailbox) -> None:
    response = client.get(write_link(client, "?ch=wechat"))
    assert response.status_code == 302
    assert "next=/m/gd/write/%3Fch%3Dwechat" in response["Location"]


def test_a_typed_channel_or_a_token_for_another_mailbox_counts_as_the_web(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    other = Mailbox.objects.exclude(pk=gd_mailbox.pk).first()
    assert other is not None
    assert submit(citizen_client, "wechat").channel == Channel.WEB
    assert submit(citizen_client, entry_token(other, Channel.WECHAT)).channel == Channel.WEB
    tampered = entry_token(gd_mailbox, Channel.WEIBO).replace("weibo", "wechat")
    assert submit(citizen_client, tampered).channel == Channel.WEB


def test_a_channel_the_mailbox_has_not_opened_is_recorded_as_the_web(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    gd_mailbox.channels = [Channel.WEB]
    gd_mailbox.save()
    assert write_link(citizen_client, "?ch=weibo") == "/m/gd/write/"
    assert submit(citizen_client, token_in(citizen_client, "/m/gd/write/?ch=weibo")).channel == Channel.WEB
