"""Reading an e-mail: what the SMTP server decides on (headers) and what becomes the letter.

The standard library's ``email`` package (modern policy) parses and decodes; an HTML-only
message is turned into text by ``html-text``. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses

import html_text

SUBJECT_MAX = 200  # Letter.subject
SUBJECT_FROM_TEXT = 60  # a message without a subject takes the start of its first line


@dataclass(frozen=True)
class Headers:
    """What the SMTP server reads before it spools a message."""

    message_id: str
    spam_flagged: bool  # an upstream filter said so (X-Spam-Flag: YES)
    automatic: bool  # an auto-reply, a delivery report or a list (RFC 3834), which must not loop


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


@dataclass(frozen=True)
class Content:
    """The parts of a message that make the letter."""

    subject: str
    text: str
    sender: str  # the writer's address: From, or the envelope sender when From has none
    attachments: list[Upload] = field(default_factory=list)
    unreadable: bool = False  # the parser could not take the message apart


def read_headers(raw: bytes) -> Headers:
    head = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    auto_submitted = str(head.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(head.get("Precedence", "")).strip().lower()
    return Headers(
        message_id=str(head.get("Message-ID", "")).strip()[:998],
        spam_flagged=str(head.get("X-Spam-Flag", "")).strip().upper() == "YES",
        automatic=not auto_submitted.startswith("no") or precedence in {"bulk", "junk", "list", "auto_reply"},
    )


def digest(raw: bytes) -> str:
    """The message's identity against a second delivery: its Message-ID, the headers that make it
    this message, and its body. Trace headers a relay adds on a retry (Received …) are left out."""
    head = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    parts = [str(head.get(name, "")).strip() for name in ("Message-ID", "From", "Date", "Subject")]
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode("utf-8", "surrogateescape") + b"\0")
    hashed.update(hashlib.sha256(_body(raw)).digest())
    return hashed.hexdigest()


def _body(raw: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(separator)
        if index >= 0:
            return raw[index + len(separator) :]
    return b""


def read_letter(raw: bytes, *, envelope_sender: str) -> Content:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # the modern policy's class
    text = _text_of(message)
    subject = " ".join(str(message.get("Subject", "")).split())
    if not subject:
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        subject = first_line[:SUBJECT_FROM_TEXT]
    return Content(
        subject=subject[:SUBJECT_MAX],
        text=text,
        sender=_writer_address(message) or envelope_sender,
        attachments=list(_attachments(message)),
    )


def _text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = _decoded(body)
    if body.get_content_subtype() == "html":
        content = html_text.extract_text(content)
    return content.replace("\r\n", "\n").strip()


def _decoded(part: Message) -> str:
    try:
        return str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _attachments(message: EmailMessage) -> list[Upload]:
    uploads = []
    for part in message.iter_attachments():
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes) or part.get_content_maintype() == "multipart":
            continue
        uploads.append(Upload(name=part.get_filename() or "", content=content))
    return uploads


def _writer_address(message: EmailMessage) -> str:
    try:
        header = message.get("From")
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    except (ValueError, IndexError):  # a From the parser cannot read
        return ""
    if addresses and addresses[0].addr_spec and "@" in addresses[0].addr_spec:
        return addresses[0].addr_spec.lower()
    fallback = getaddresses([str(message.get("From", ""))])
    return fallback[0][1].lower() if fallback and "@" in fallback[0][1] else ""
