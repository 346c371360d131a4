"""Which channel a letter came through: the WeChat and Weibo menus link to ``?ch=wechat|weibo``.

The choice is kept in the session, so it survives signing in on the way to the write form.
"""

from __future__ import annotations

from django.http import HttpRequest

from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel

SESSION_KEY = "portal_channel"
MENU_CHANNELS = frozenset({Channel.WECHAT, Channel.WEIBO})


def remember_channel(request: HttpRequest) -> None:
    """Store ``?ch=`` when it names a menu channel (any other value is ignored)."""
    wanted = request.GET.get("ch", "")
    if wanted in MENU_CHANNELS:
        request.session[SESSION_KEY] = wanted


def channel_for(request: HttpRequest, mailbox: Mailbox) -> str:
    """The channel to record for a letter to ``mailbox``: the menu it was opened from, if open there."""
    remember_channel(request)
    wanted = request.session.get(SESSION_KEY, Channel.WEB)
    return wanted if wanted in mailbox.channels else Channel.WEB
