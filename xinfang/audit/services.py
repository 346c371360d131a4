"""The writes to the log: ``audit_record`` (every event) and ``receipt_record`` (a letter's receipt).

``audit_record`` runs inside the caller's transaction when there is one, so the row commits or
rolls back with the change it records. It is one INSERT: the row's auto-increment id orders it,
and its place in the Merkle tree is given later by the sealer (``xinfang.audit.sealing``), so
concurrent writers never wait for each other.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry, AuditKind, normalise_data
from xinfang.audit.receipts import content_hash, file_hash, salt_hash
from xinfang.letters.models import Letter

Subject = models.Model | tuple[str, object] | None
RECEIPT_SUBJECT = "letters.receipt"


def audit_record(*, kind: str, actor: User | None, subject: Subject, data: dict[str, Any]) -> AuditEntry:
    """Append one entry and return it.

    ``subject`` is a model instance (recorded by its public id when it has one) or a
    ``(type, id)`` pair. ``data`` must hold no identity values and no letter text.
    """
    subject_type, subject_id = _subject_key(subject)
    entry = AuditEntry(
        at=timezone.now(),
        kind=kind,
        actor=actor,
        subject_type=subject_type,
        subject_id=subject_id,
        data=normalise_data(data),
    )
    entry.save(force_insert=True)
    return entry


def receipt_record(*, letter_id: int) -> AuditEntry:
    """The letter's receipt entry: what the platform received, when, for which mailbox.

    Called once the letter's transaction has committed (``receivers.on_letter_event``), so the
    files uploaded with the letter are there. The entry holds the tracking number, the time of
    receipt, the mailbox, and the text's and each file's hash salted with the letter's
    ``receipt_salt`` (and the salt's own hash, so that a receipt's salt can be checked without the
    text); no actor, no identity, no query code.
    """
    letter = Letter.objects.select_related("mailbox").get(pk=letter_id)
    salt = bytes.fromhex(letter.receipt_salt)
    files = letter.attachments.filter(message__isnull=True, internal=False).order_by("pk")
    data = {
        "tracking_number": letter.tracking_number,
        "received_at": letter.received_at,
        "mailbox": letter.mailbox.slug,
        "salt_hash": salt_hash(salt),
        "text_hash": content_hash(salt, letter.text),
        "file_hashes": [file_hash(salt, bytes.fromhex(f.sha256)) for f in files],
    }
    return audit_record(
        kind=AuditKind.LETTER_RECEIPT, actor=None, subject=(RECEIPT_SUBJECT, letter.tracking_number), data=data
    )


def _subject_key(subject: Subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        kind, key = subject
        return kind, str(key)
    key = getattr(subject, "public_id", None) or subject.pk
    return subject._meta.label_lower, str(key)
