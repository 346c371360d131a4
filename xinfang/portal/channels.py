"""Which channel a letter came through, recorded per letter (issue 18 §3).

The WeChat and Weibo menus link to a mailbox with ``?ch=wechat|weibo`` (the entry links in the
mailbox admin). The mailbox page carries ``ch`` on to its write link; the write form puts it in a
hidden field as a value signed for that mailbox (:func:`entry_token`), and the submission records
what the token says (:func:`channel_from_token`). Nothing is kept in the session: a letter written
later on a desktop, from a form opened without ``ch``, is a web letter. A token for another
mailbox, an altered one, or one older than a day counts as the web.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest

from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel

MENU_CHANNELS = frozenset({Channel.WECHAT, Channel.WEIBO})
SALT = "xinfang.portal.channel"
TOKEN_MAX_AGE = 24 * 3600  # a write form left open overnight still records its entry


def entry_channel(request: HttpRequest, mailbox: Mailbox) -> str:
    """The menu this page was opened from (``?ch=``), if the mailbox has opened that channel; else the web."""
    wanted = request.GET.get("ch", "")
    return wanted if wanted in MENU_CHANNELS and wanted in mailbox.channels else Channel.WEB


def entry_query(request: HttpRequest, mailbox: Mailbox) -> str:
    """``?ch=…`` to carry the entry on to the next page of this mailbox, or nothing."""
    channel = entry_channel(request, mailbox)
    return f"?ch={channel}" if channel != Channel.WEB else ""


def entry_token(mailbox: Mailbox, channel: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{mailbox.slug}:{channel}")


def channel_from_token(token: str, mailbox: Mailbox) -> str:
    """The channel a write form's token was signed with, for this mailbox only; the web otherwise."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token or "", max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return Channel.WEB
    slug, _, channel = value.rpartition(":")
    if slug != mailbox.slug or channel not in MENU_CHANNELS or channel not in mailbox.channels:
        return Channel.WEB
    return channel
