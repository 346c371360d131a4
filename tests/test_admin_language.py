"""The back office reads in Chinese (issue 20 §3): a superuser who reads Chinese walks the admin — the
index, every changelist, add page and change page, and each admin's own pages — and finds no English
label, heading, help text, filter, column, fieldset, button or permission name.

What a page shows of the data (the rows of a list, a read-only value, an object's own name, a text box)
is the data's, not the back office's words, and is left out; so are codes (numbers, usernames, paths,
abbreviations such as "OTP" or "ID") and the few proper names on Django's own pages.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from tests.conftest import rows_for_the_module
from tests.security.matrix import World, build_world
from xinfang.analysis.models import WarningRule
from xinfang.api.models import Scope
from xinfang.api.tokens import token_issue
from xinfang.deadlines.law import Step
from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.letters.lifecycle import Action
from xinfang.letters.models import LetterEvent
from xinfang.mailin.models import MailAddress
from xinfang.mailin.services import message_spool
from xinfang.notices.models import IssuerCode
from xinfang.notices.services import notice_issue
from xinfang.notifications.models import Kind, NotificationTemplate
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Unit
from xinfang.orgs.services import unit_rename
from xinfang.publication.models import Publication, PublicationPolicy
from xinfang.routing.models import CityLevelFunction, RoutingRule
from xinfang.worker.schedule import schedule_ensure

pytestmark = pytest.mark.django_db

ADMIN = "administrator@superior_city"  # a superuser at the bureau that received the world's letters
# Proper names Django's own pages use ("press Control, or Command on a Mac").
PROPER_NAMES = frozenset({"Control", "Command", "Mac"})
# Django's pages that show nothing of ours, or only the data (a deletion lists what it would delete).
SKIPPED_PAGES = ("_delete", "_history", "_autocomplete", "_qrcode")


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The authorisation matrix's world, and a row in each admin's table it leaves empty: an empty list
    shows no column headings."""
    with rows_for_the_module(django_db_blocker):
        world = build_world()
        _one_row_each(world)
        yield world


def _one_row_each(world: World) -> None:
    admin_user, staff = world.users[ADMIN], world.users["acceptor@same"]
    letter, mailbox = world.letters["handling"], world.letters["handling"].mailbox
    tianhe, guangzhou = Unit.objects.get(code="440106"), Unit.objects.get(code="440100")
    visitor = {
        "ip_address": "10.0.0.1",
        "user_agent": "Mozilla/5.0",
        "http_accept": "*/*",
        "path_info": "/console/login/",
    }
    AccessAttempt.objects.create(username=staff.username, get_data="", post_data="", failures_since_start=2, **visitor)
    AccessFailureLog.objects.create(username=staff.username, locked_out=False, **visitor)
    StaticToken.objects.create(device=StaticDevice.objects.create(user=staff, name="backup"), token="12345678")
    Group.objects.create(name="办公室")
    unit_rename(unit=tianhe, name=tianhe.name, name_en="Tianhe Branch", actor=admin_user)
    TimeLimitPolicy.objects.create(mailbox=mailbox, step=Step.ACCEPTANCE, days=10)
    Publication.objects.create(letter=letter, title="公开稿", published_text="正文", published_reply="答复")
    PublicationPolicy.objects.create(mailbox=mailbox)
    RoutingRule.objects.create(name="户籍事项", target=guangzhou, police_type=PoliceType.HOUSEHOLD)
    CityLevelFunction.objects.create(key="household", police_type=PoliceType.HOUSEHOLD, reason="市局统一办理")
    schedule_ensure()
    NotificationTemplate.objects.create(kind=Kind.RECEIPT, language="zh-hans", title="已收到", body="正文")
    IssuerCode.objects.create(unit=guangzhou, code="穗公信")
    notice_issue(LetterEvent.objects.filter(letter=letter, action=Action.ACCEPT).get())
    WarningRule.objects.create(mailbox=mailbox)
    token_issue(
        actor=admin_user,
        name="微信小程序",
        scopes=[Scope.values[0]],
        mailbox=mailbox,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    address = MailAddress.objects.create(address="gz-jubao@example.cn", mailbox=mailbox)
    message_spool(recipients=[address.address], envelope_sender="writer@example.cn", raw=b"Subject: x\r\n\r\nbody")


def _pages() -> Iterator[str]:
    """The index and, for every registered model, each page its admin offers without a choice of target:
    the list, the add page, and the pages of its first row."""
    yield reverse("admin:index")
    for model, model_admin in admin.site._registry.items():
        first = model._default_manager.order_by("pk").first()
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None)
            if not isinstance(pattern, URLPattern) or not name or name.endswith(SKIPPED_PAGES):
                continue
            takes = set(pattern.pattern.regex.groupindex)
            if not takes:
                yield reverse(f"admin:{name}")
            elif first is not None and takes <= {"object_id", "pk"}:
                yield reverse(f"admin:{name}", kwargs=dict.fromkeys(takes, first.pk))


def _shown_of_the_data(html: str) -> str:
    """The page without what it shows of the data: scripts, text boxes, code, the rows of a table (a list,
    an inline), read-only values, and the choices of a filter that lists the values found."""
    html = re.sub(r"<(script|style|textarea|code)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r"<tbody>.*?</tbody>", "", html, flags=re.S)  # a table's headings are in its <thead>
    html = re.sub(r'<div class="readonly">.*?</div>', "", html, flags=re.S)
    return re.sub(r'<a href="\?([^"]*)">([^<]*)</a>', _unless_a_value_found, html)


def _unless_a_value_found(link: re.Match[str]) -> str:
    """A filter's choice, unless it reads as the value it filters on (a path, a queue's name)."""
    query, label = unescape(link.group(1)), unescape(link.group(2)).strip()
    values = {value for values in urllib.parse.parse_qs(query).values() for value in values}
    return "" if label in values else link.group(0)


def _visible_text(html: str, *, data: list[str]) -> str:
    html = _shown_of_the_data(html)
    html = re.sub(r'<input[^>]*\btype="submit"[^>]*\bvalue="([^"]*)"[^>]*>', r"\n\1\n", html)
    text = unescape(re.sub(r"<[^>]+>", "\n", html))
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    return re.sub(r"\{\{\s*\w+\s*\}\}", "", text)  # a template's variable, as its users type it


def english_words(line: str) -> list[str]:
    """The English words of ``line``: not codes (with digits, underscores, dots, slashes …), not
    abbreviations in capitals, not the proper names, and not the parts of a code on the same line (the
    header ``bureau,name,code`` and "bureau" in the sentence that explains it)."""
    tokens = [t.strip(".,:;!?'’\"") for t in re.findall(r"[\x21-\x7e’]+", line)]
    codes = {part for token in tokens if not _is_a_word(token) for part in re.findall("[A-Za-z]+", token)}
    return [t for t in tokens if _is_a_word(t) and not t.isupper() and t not in PROPER_NAMES and t not in codes]


def _is_a_word(token: str) -> bool:
    return re.fullmatch(r"[A-Za-z]+(?:['’][a-z]+)?", token) is not None


def english_on(client: Client, url: str, *, data: list[str]) -> list[str]:
    """The lines of the page, as a Chinese reader sees it, that hold an English word."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code in (200, 302, 403), (url, response.status_code)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    lines = {" ".join(line.split()) for line in _visible_text(response.content.decode(), data=data).splitlines()}
    return sorted(line for line in lines if english_words(line))


def _names_of_rows() -> list[str]:
    """What the pages show as the names of rows: each walked row's own name and the signed-in user's."""
    names = [ADMIN]
    for model in admin.site._registry:
        first: Model | None = model._default_manager.order_by("pk").first()
        if first is not None:
            names.append(str(first))
    return names


def test_every_admin_table_has_a_row_to_walk(world: World) -> None:
    """An empty list shows no column headings, and a table without rows has no change page to read."""
    assert [model._meta.label for model in admin.site._registry if not model._default_manager.exists()] == []


def test_every_admin_page_reads_in_chinese(world: World) -> None:
    client = world.clients[ADMIN]
    data = _names_of_rows()
    found = {url: english_on(client, url, data=data) for url in _pages()}
    found = {url: lines for url, lines in found.items() if lines}
    assert found == {}, "English in the Chinese back office:\n" + "\n".join(
        f"{url}:\n  " + "\n  ".join(lines) for url, lines in found.items()
    )


def test_the_permission_pickers_say_what_each_permission_allows_in_the_readers_language(world: World) -> None:
    """Django stores "Can add 信件" once, in English; the group and user pages name it as the reader reads."""
    client, url = world.clients[ADMIN], reverse("admin:auth_group_add")
    chinese = unescape(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "信件 | 信件 | 可以添加信件" in chinese and "动态口令 | 动态口令设备 | 可以查看动态口令设备" in chinese
    english = unescape(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    options = re.findall(r"<option [^>]*>([^<]*)</option>", english)
    assert "Letters | Letters | Can view Letters" in options
    assert [option for option in options if re.search("[一-鿿]", option)] == []


def test_the_walk_finds_english_where_a_label_is_english() -> None:
    """The detector itself: what it must catch and what it must let through."""
    assert english_words("以 created at") == ["created", "at"]
    assert english_words("Name:") == ["Name"]
    assert english_words("信件 | 信件 | Can add 信件") == ["Can", "add"]
    assert english_words("Search by user's 用户名") == ["Search", "by", "user's"]
    for chinese in (
        "按住 Control 键或 Mac 上的 Command 键来选择多项。",
        "ID",
        "导入派出所（CSV）…",
        "OTP 设备",
        "如 https://gat.gd.gov.cn",
        "表头 bureau,name,name_en,code：bureau 填代码",
        "GD01-20261208-058948",
    ):
        assert english_words(chinese) == [], chinese
