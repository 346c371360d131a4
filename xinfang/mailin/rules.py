"""What the SMTP server refuses, and the answer it gives (docs/api.md, "Letters by e-mail").

Each rule returns the SMTP reply that refuses, or ``None``. The replies are protocol text: ASCII
and English by RFC 5321, read by the sending server and quoted in the bounce the writer gets.
Offline, SPF and DKIM cannot be checked here; a relay in front may, and an upstream filter's
verdict (``X-Spam-Flag: YES``) is honoured. The size cap is aiosmtpd's ``data_size_limit`` (552).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from xinfang.mailin.models import InboundMessage, MailAddress
from xinfang.mailin.parsing import Headers
from xinfang.vocabulary import Channel

NO_SENDER = "550 5.7.1 Messages without a sender (delivery reports) are not accepted here"
TOO_MANY_RECIPIENTS = "550 5.5.3 Too many recipients: at most {limit} mailboxes per message"
TOO_MANY_MESSAGES = "550 5.7.1 Too many messages from this sender: at most {limit} an hour, send again later"
UNKNOWN_MAILBOX = "550 5.1.1 No such mailbox here"
CLOSED_MAILBOX = "550 5.2.1 This mailbox does not take letters by e-mail"
SPAM = "550 5.7.1 Refused as spam (X-Spam-Flag: YES from the upstream filter)"
AUTOMATIC = "550 5.7.1 Automatic messages (auto-replies, lists, bulk mail) are not accepted here"


def sender_refusal(sender: str) -> str | None:
    """At MAIL FROM: the null sender, and more than the hourly number of messages from one address."""
    if not sender.strip() or sender.strip() == "<>":
        return NO_SENDER
    limit = settings.XINFANG_MAILIN_PER_SENDER_PER_HOUR
    since = timezone.now() - dt.timedelta(hours=1)
    sent = InboundMessage.objects.filter(envelope_sender=sender.lower(), received_at__gte=since).count()
    return TOO_MANY_MESSAGES.format(limit=limit) if sent >= limit else None


def recipient_refusal(recipient: str, *, accepted: int) -> str | None:
    """At RCPT TO: the recipient cap, then an address that is not a mailbox's open e-mail address."""
    limit = settings.XINFANG_MAILIN_MAX_RECIPIENTS
    if accepted >= limit:
        return TOO_MANY_RECIPIENTS.format(limit=limit)
    address = MailAddress.objects.select_related("mailbox").filter(address=recipient.strip().lower()).first()
    if address is None:
        return UNKNOWN_MAILBOX
    if not (address.is_active and address.mailbox.is_active and Channel.EMAIL in address.mailbox.channels):
        return CLOSED_MAILBOX
    return None


def content_refusal(headers: Headers) -> str | None:
    """At the end of DATA, before anything is stored: spam by the upstream filter's verdict, and
    automatic mail, which would otherwise answer our answer (a mail loop)."""
    if headers.spam_flagged:
        return SPAM
    if headers.automatic:
        return AUTOMATIC
    return None
