"""Helpers the tests share: letters set up through the real services, as a front desk, a seat and a
handler would, and reading pages as a user does. Fixtures live in the conftest files; these are plain
functions that tests import.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.id_numbers import check_character
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.letters.models import AssignmentMode, Letter
from xinfang.letters.services import letter_submit
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel, LetterType

ConsoleClient = Callable[[User], Client]
CITIZEN_NAME = "张三"
CITIZEN_PHONE = "13800138000"


def resident_id(first17: str = "44010619850317123") -> str:
    """A valid resident ID number (correct check character) for a new caller."""
    return first17 + check_character(first17)


def receive(
    citizen: User,
    mailbox: Mailbox,
    *,
    at: dt.datetime | None = None,
    letter_type: str = LetterType.INQUIRY,
    **extra: object,
) -> Letter:
    """A letter from ``citizen`` through the web, received at ``at`` (now by default)."""
    fields: dict[str, object] = {
        "subject": "户口迁移咨询",
        "text": "请问从外省迁入广州市天河区的户口需要哪些材料？",
        "division_code": "440106",
        "address": "广州市天河区",
    }
    fields.update(extra)
    with time_machine.travel(at or timezone.now(), tick=False):
        return letter_submit(
            mailbox=mailbox,
            actor=citizen,
            letter_type=letter_type,
            channel=Channel.WEB,
            **fields,  # type: ignore[arg-type]
        ).letter


def call_form(mailbox: Mailbox, **overrides: Any) -> dict[str, Any]:
    data = {
        "number": CITIZEN_PHONE,
        "mailbox": mailbox.pk,
        "caller": "existing",
        "identity_checked": "on",
        "letter_type": LetterType.COMPLAINT,
        "police_type": "治安",
        "place": "440106 天河区",
        "address": "体育西路 1 号",
        "subject": "夜间噪音无人处理",
        "text": "楼下酒吧每晚噪音到凌晨，多次报警无人处理。",
        "send_sms": "on",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- handlers, leaders, inspectors

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    """Travel to ``day`` (Beijing time) with the clock standing still."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False)


def assigned_letter(
    citizen: User,
    mailbox: Mailbox,
    acceptor: User,
    unit: Unit,
    *,
    mode: str = AssignmentMode.TRANSFER,
    reason: str = "",
    **extra: object,
) -> Letter:
    """A letter received, accepted by the Guangdong front desk and transferred (or assigned) to ``unit``."""
    letter = submit(citizen, mailbox, **extra).letter  # type: ignore[arg-type]
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=unit, mode=mode, reason=reason)
    return letter


def handled_letter(
    citizen: User, mailbox: Mailbox, acceptor: User, unit: Unit, handler: User, **extra: object
) -> Letter:
    letter = assigned_letter(citizen, mailbox, acceptor, unit, **extra)  # type: ignore[arg-type]
    s.letter_start_handling(letter=letter, actor=handler)
    return letter


def page_url(letter: Letter) -> str:
    return reverse("console:letter", args=[letter.public_id])


def action_url(letter: Letter, action: str) -> str:
    return reverse("console:letter_action", args=[letter.public_id, action])


def post_action(
    client: Client, letter: Letter, action: str, fields: dict[str, object], *, next: str = "", **headers: str
) -> Any:
    """Post one action form the way the page does: prefixed fields and the version the user saw."""
    letter.refresh_from_db()
    data: dict[str, object] = {f"{action}-version": letter.version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    if next:
        data["next"] = next
    return client.post(action_url(letter, action), data, **headers)  # type: ignore[arg-type]


def text_of(response: object) -> str:
    """The page's visible text, whitespace collapsed (tags removed), for assertions on what users read."""
    html = response.content.decode()  # type: ignore[attr-defined]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def form_actions(response: object) -> set[str]:
    """The actions whose forms the page offers (by the URL each form posts to)."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return set(re.findall(r'action="/console/letters/[0-9a-f-]+/do/([a-z_]+)/"', html))


# ---------------------------------------------------------------- files

GPS = {1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 19.0, 10.0)}


def jpeg_with_gps(*, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG", exif=exif, comment=b"shot by Zhang San")
    return out.getvalue()
