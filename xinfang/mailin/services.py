"""Letters by e-mail: spool, convert, answer (docs/api.md, "Letters by e-mail").

1. ``message_spool`` (the SMTP server, before it answers 250): one row per accepted recipient
   with the raw message, and the task that converts it, in one transaction. A message delivered
   again (same Message-ID and content, for the same address) finds its row and adds nothing.
2. ``message_convert`` (the worker): with the row locked, the message becomes a letter through
   ``letter_submit``, the portal's intake, and the row records it in the same transaction: a
   worker that dies half-way leaves the row spooled and no letter, and the retry converts it once.
3. ``reply_send``: the answer with the tracking number and the query code, or with why no letter
   was registered; retried with the notifications' back-off until it goes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop, override

from xinfang.accounts.models import User
from xinfang.analysis.emergency import emergency_words
from xinfang.errors import Refused
from xinfang.letters.attachments import sniff
from xinfang.letters.services import Submission, letter_submit
from xinfang.mailin import tasks
from xinfang.mailin.models import InboundMessage, MailAddress
from xinfang.mailin.parsing import Content, Upload, digest, read_headers, read_letter
from xinfang.mailin.replies import reply_message
from xinfang.notifications.services import backoff
from xinfang.vocabulary import Channel

logger = logging.getLogger(__name__)
M = InboundMessage.Status
STALE = dt.timedelta(minutes=2)  # a spooled message the sweep converts (its task should have by then)
SWEEP_BATCH = 500


def message_spool(*, recipients: list[str], envelope_sender: str, raw: bytes) -> list[InboundMessage]:
    """Store ``raw`` for each recipient address and queue its conversion; committed on return."""
    addresses = MailAddress.objects.filter(address__in=[r.lower() for r in recipients])
    headers, key = read_headers(raw), digest(raw)
    rows = []
    with transaction.atomic():
        for address in addresses:
            try:
                with transaction.atomic():
                    row = InboundMessage.objects.create(
                        address=address, envelope_sender=envelope_sender.lower(), message_id=headers.message_id,
                        digest=key, size=len(raw), raw=raw,
                    )  # fmt: skip
            except IntegrityError:  # delivered before: the sender did not hear our 250 and tried again
                rows.append(InboundMessage.objects.get(address=address, digest=key))
                continue
            tasks.process.enqueue(row.pk)
            rows.append(row)
    return rows


def message_convert(*, message_pk: int) -> str:
    """Turn one spooled message into a letter, exactly once (see the module's steps)."""
    with transaction.atomic():
        message = (
            InboundMessage.objects.select_for_update(of=("self",))
            .select_related("address__mailbox")
            .filter(pk=message_pk, status=M.SPOOLED)
            .first()
        )
        if message is None:
            return "already converted"
        parsed = _read(message)
        message.reply_to = parsed.sender[:320]
        message.emergency = bool(emergency_words(f"{parsed.subject}\n{parsed.text}"))  # the portal's check
        try:
            submission = _submit(message, parsed)
        except (Refused, ValidationError) as exc:  # a rule of intake, or an attachment refused as an upload would be
            message.status, message.refusal = M.REFUSED, _reason(exc)
        else:
            message.status, message.letter, message.reply_code = M.CONVERTED, submission.letter, submission.query_code
        message.raw, message.processed_at = b"", timezone.now()
        message.reply_due_at = message.processed_at if message.reply_to else None
        message.save(update_fields=CONVERSION_FIELDS)
    return message.status


CONVERSION_FIELDS = [
    "status", "letter", "refusal", "emergency", "reply_to", "reply_code", "raw", "processed_at", "reply_due_at",
]  # fmt: skip


def _read(message: InboundMessage) -> Content:
    try:
        return read_letter(bytes(message.raw), envelope_sender=message.envelope_sender)
    except Exception:  # untrusted input the parser cannot take: answered, not retried for ever
        logger.exception("mail-in: message %s could not be read", message.public_id)
        return Content(subject="", text="", sender=message.envelope_sender, unreadable=True)


def _submit(message: InboundMessage, parsed: Content) -> Submission:
    """The portal's intake, in a savepoint: a refusal leaves neither the writer's account nor files."""
    if parsed.unreadable:
        raise Refused(gettext_noop("无法读取这封邮件的内容。"))
    with transaction.atomic(), override(settings.LANGUAGE_CODE):  # the reason kept in the source language
        return letter_submit(
            mailbox=message.address.mailbox, actor=_writer_for(parsed.sender),
            letter_type=message.address.letter_type, channel=Channel.EMAIL, subject=parsed.subject,
            text=parsed.text, uploads=_uploads(parsed.attachments),
        )  # fmt: skip


def reply_send(*, message_pk: int) -> str:
    """Send the answer to the writer once it is due; a failure is tried again after the back-off.

    The claim moves ``reply_due_at`` a lease ahead with a conditional update, so two workers do
    not both send; the same Message-ID on every try lets mail systems drop a duplicate."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.XINFANG_TASK_LEASE_SECONDS)
    pending = InboundMessage.objects.filter(pk=message_pk, replied_at__isnull=True, reply_due_at__lte=now)
    if not pending.update(reply_due_at=lease, reply_attempts=F("reply_attempts") + 1):
        return "nothing due"
    message = InboundMessage.objects.select_related("letter", "address__mailbox").get(pk=message_pk)
    try:
        reply_message(message).send()
    except (smtplib.SMTPException, OSError) as exc:
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused) or (
            isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600
        )
        if permanent or message.reply_attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            logger.warning("mail-in reply %s given up: %s", message.public_id, exc)
            _reply_done(message_pk, error=str(exc), sent_at=None)
            return "failed"
        when = timezone.now() + backoff(message.reply_attempts)
        InboundMessage.objects.filter(pk=message_pk).update(reply_due_at=when, reply_error=str(exc)[:2000])
        return "retry"
    _reply_done(message_pk, error="", sent_at=timezone.now())
    return "sent"


def mailin_sweep() -> dict[str, int]:
    """The worker's job: spooled messages whose task has not converted them, and replies due again."""
    spooled = InboundMessage.objects.filter(status=M.SPOOLED, received_at__lte=timezone.now() - STALE)
    converted = [message_convert(message_pk=pk) for pk in spooled.values_list("pk", flat=True)[:SWEEP_BATCH]]
    due = InboundMessage.objects.filter(replied_at__isnull=True, reply_due_at__lte=timezone.now())
    sent = [reply_send(message_pk=pk) for pk in due.values_list("pk", flat=True)[:SWEEP_BATCH]]
    return {"converted": len(converted), "replies": sent.count("sent")}


def _reply_done(message_pk: int, *, error: str, sent_at: dt.datetime | None) -> None:
    """Sent or given up: the query code is not kept either way (the letter keeps only its hash)."""
    InboundMessage.objects.filter(pk=message_pk).update(
        replied_at=sent_at, reply_due_at=None, reply_code="", reply_error=error[:2000]
    )


WRITER_PREFIX = "mail-"  # the user names of writers' accounts; ``retention`` renames an erased one


def _writer_for(address: str) -> User:
    """The writer's account: a citizen known only by an e-mail address, one per address, which
    cannot sign in (no password, no phone). Later steps of the letter reach it by e-mail.

    The row is locked until the letter commits, so that the erasure of the same writer
    (``retention.writer_erase``) either waits and then sees the new open letter, or comes first
    and leaves this message a new account."""
    username = f"{WRITER_PREFIX}{hashlib.sha256(address.encode()).hexdigest()[:32]}"
    user, _created = User.objects.select_for_update().get_or_create(
        username=username, defaults={"kind": User.Kind.CITIZEN, "email": address, "password": make_password(None)}
    )
    return user


def _uploads(attachments: list[Upload]) -> list[ContentFile[bytes]]:
    """The attachments as uploads for ``attachment_add``. A part sent without a file name (an
    inline image) is named after what its bytes are; the checks then decide as for any upload."""
    uploads = []
    for number, part in enumerate(attachments, start=1):
        kind = sniff(part.content[:16])
        name = part.name or (f"attachment-{number}.{kind.extension}" if kind else f"attachment-{number}")
        uploads.append(ContentFile(part.content, name=name))
    return uploads


def _reason(exc: Refused | ValidationError) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(message) for message in exc.messages)
    return str(exc)
