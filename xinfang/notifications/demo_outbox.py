"""Where text messages and e-mail land when nothing is really sent (a demo, a developer's machine),
and what landed there, newest first: the demo outbox page and the start-up banner read this.

SMS go to ``settings.SMS_FILE_DIR/outbox.jsonl`` (``sms.FileBackend``, one JSON line each);
e-mail to ``settings.EMAIL_FILE_PATH`` (Django's file back-end, one file per connection, messages
separated by a line of 79 dashes). Sign-up and sign-in codes are among them.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import json
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from xinfang.notifications.models import Channel

FILE_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@dataclass(frozen=True)
class Landed:
    """One message as it would have been sent."""

    at: dt.datetime | None
    channel: str
    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class Landing:
    """Where each channel's messages go: a file or folder to read, or a description of the real service."""

    sms: str
    email: str
    readable: bool  # both are files the outbox page can show


def landing() -> Landing:
    if settings.SMS_BACKEND == "file":
        sms = str(sms_file())
    elif settings.SMS_BACKEND == "http":
        sms = f"gateway {settings.SMS_GATEWAY_URL or '(XINFANG_SMS_GATEWAY_URL not set)'}"
    else:
        sms = f"{settings.SMS_BACKEND} back-end (not kept)"
    if settings.EMAIL_BACKEND == FILE_EMAIL_BACKEND:
        mail = str(Path(settings.EMAIL_FILE_PATH))
    elif settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        mail = f"SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    else:
        mail = f"{settings.EMAIL_BACKEND} (not kept)"
    readable = settings.SMS_BACKEND == "file" and settings.EMAIL_BACKEND == FILE_EMAIL_BACKEND
    return Landing(sms=sms, email=mail, readable=readable)


def sms_file() -> Path:
    return Path(settings.SMS_FILE_DIR) / "outbox.jsonl"


def outbox(*, limit: int = 100) -> list[Landed]:
    """The last ``limit`` messages written to the files, SMS and e-mail together, newest first."""
    landed = [*_sms(limit), *_emails(limit)]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    landed.sort(key=lambda m: m.at or oldest, reverse=True)
    return landed[:limit]


def _sms(limit: int) -> list[Landed]:
    path = sms_file()
    if settings.SMS_BACKEND != "file" or not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        last = deque(lines, maxlen=limit)  # the file only grows: read its tail
    found = []
    for line in last:
        try:
            row = json.loads(line)
            at = dt.datetime.fromisoformat(row["at"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a process that died mid-write
        found.append(
            Landed(at=at, channel=Channel.SMS, to=str(row.get("to", "")), subject="", text=str(row.get("text", "")))
        )
    return found


def _emails(limit: int) -> list[Landed]:
    if settings.EMAIL_BACKEND != FILE_EMAIL_BACKEND:
        return []
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda f: f.stat().st_mtime, reverse=True)[:limit]
    found: list[Landed] = []
    for path in files:
        for raw in path.read_bytes().split(EMAIL_SEPARATOR):
            if raw.strip():
                found.append(_email(raw, fallback=path))
    return found


def _email(raw: bytes, *, fallback: Path) -> Landed:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, email.message.EmailMessage) else ""
    try:
        at = email.utils.parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        at = dt.datetime.fromtimestamp(fallback.stat().st_mtime, tz=timezone.get_current_timezone())
    if at.tzinfo is None:  # Django writes "-0000": UTC, zone not stated
        at = at.replace(tzinfo=dt.UTC)
    return Landed(
        at=at, channel=Channel.EMAIL, to=str(message["To"] or ""), subject=str(message["Subject"] or ""), text=text
    )
