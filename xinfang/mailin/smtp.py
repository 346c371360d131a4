"""The inbound SMTP endpoint (aiosmtpd), run by ``manage.py mail_in`` behind the MX relay.

The handler answers each step of the conversation from ``rules`` and, at the end of DATA, stores
the message durably (``services.message_spool`` commits) before it answers 250. A process that
dies before that answer has stored nothing the sender believes delivered: the sender keeps the
message and tries again, and a second copy of a message already stored adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from xinfang.mailin import rules
from xinfang.mailin.parsing import read_headers
from xinfang.mailin.services import message_spool

logger = logging.getLogger(__name__)

T = TypeVar("T")
TRY_LATER = "451 4.3.0 Temporary failure storing the message, try again later"


class MailInHandler:
    """aiosmtpd's handler hooks: MAIL, RCPT and DATA. Database work runs in Django's sync thread."""

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        refusal = await _checked(rules.sender_refusal, address)
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        refusal = await _checked(rules.recipient_refusal, address, accepted=len(envelope.rcpt_tos))
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address.lower())
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        refusal = rules.content_refusal(read_headers(raw))
        if refusal:
            return refusal
        try:
            rows = await sync_to_async(_fresh(message_spool))(
                recipients=list(envelope.rcpt_tos), envelope_sender=envelope.mail_from or "", raw=raw
            )
        except DatabaseError:
            logger.exception("mail-in: the message could not be stored; the sender was told to try again")
            return TRY_LATER
        if not rows:  # every recipient was closed between RCPT and the end of DATA
            return rules.CLOSED_MAILBOX
        return f"250 2.0.0 Queued as {rows[0].public_id}"


async def _checked(rule: Any, *args: Any, **kwargs: Any) -> str | None:
    try:
        result: str | None = await sync_to_async(_fresh(rule))(*args, **kwargs)
    except DatabaseError:
        logger.exception("mail-in: a rule could not read the database")
        return TRY_LATER
    return result


def _fresh(work: Callable[..., T]) -> Callable[..., T]:
    """``work`` on a usable connection: a server runs for months, and the database may close its
    connection meanwhile (a restart, a timeout); the sync thread's connection is then replaced."""

    def run(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        return work(*args, **kwargs)

    return run


def controller(*, host: str, port: int) -> Controller:
    """The server on ``host:port`` in its own thread, with the size cap (552 above it)."""
    return Controller(
        MailInHandler(),
        hostname=host,
        port=port,
        server_hostname=settings.XINFANG_MAILIN_HOSTNAME or None,
        ident="xinfang mail_in",
        data_size_limit=settings.XINFANG_MAILIN_MAX_BYTES,
    )
