"""The writes to the log: ``audit_record`` (every event) and ``receipt_record`` (a letter's receipt).

``audit_record`` runs inside the caller's transaction when there is one, so the row commits or
rolls back with the change it records. It is one INSERT (a letter's receipt and its first
timeline entry share one, ``receivers.on_letter_event``): the row's auto-increment id orders it,
and its place in the Merkle tree is given later by the sealer (``xinfang.audit.sealing``), so
concurrent writers never wait for each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry, AuditKind, normalise_data
from xinfang.audit.receipts import content_hash, file_hash, salt_hash
from xinfang.letters.models import Attachment, Letter

Subject = models.Model | tuple[str, object] | None
RECEIPT_SUBJECT = "letters.receipt"


def audit_record(*, kind: str, actor: User | None, subject: Subject, data: dict[str, Any]) -> AuditEntry:
    """Append one entry and return it.

    ``subject`` is a model instance (recorded by its public id when it has one) or a
    ``(type, id)`` pair. ``data`` must hold no identity values and no letter text.
    """
    entry = audit_entry(kind=kind, actor=actor, subject=subject, data=data)
    entry.save(force_insert=True)
    return entry


def audit_entry(*, kind: str, actor: User | None, subject: Subject, data: dict[str, Any]) -> AuditEntry:
    """The entry ``audit_record`` appends, not yet saved (to append several in one statement)."""
    subject_type, subject_id = _subject_key(subject)
    return AuditEntry(
        at=timezone.now(),
        kind=kind,
        actor=actor,
        subject_type=subject_type,
        subject_id=subject_id,
        data=normalise_data(data),
    )


def receipt_entry(letter: Letter, attachments: Sequence[Attachment]) -> AuditEntry:
    """The letter's receipt entry, not yet saved: what the platform received, when, for which mailbox.

    Built in the letter's own transaction from the letter and the files sent with it, as stored
    (``receivers.on_letter_event``). The entry holds the tracking number, the time of receipt, the
    mailbox, and the text's and each file's hash salted with the letter's ``receipt_salt`` (and
    the salt's own hash, so that a receipt's salt can be checked without the text); no actor, no
    identity, no query code.
    """
    salt = bytes.fromhex(letter.receipt_salt)
    files = sorted((f for f in attachments if f.message_id is None and not f.internal), key=lambda f: f.pk)
    data = {
        "tracking_number": letter.tracking_number,
        "received_at": letter.received_at,
        "mailbox": letter.mailbox.slug,
        "salt_hash": salt_hash(salt),
        "text_hash": content_hash(salt, letter.text),
        "file_hashes": [file_hash(salt, bytes.fromhex(f.sha256)) for f in files],
    }
    return audit_entry(
        kind=AuditKind.LETTER_RECEIPT, actor=None, subject=(RECEIPT_SUBJECT, letter.tracking_number), data=data
    )


def receipt_record(*, letter_id: int) -> AuditEntry:
    """The receipt entry of a stored letter, read back from the database (for letters whose
    receipt was never written; intake writes it in the letter's transaction)."""
    letter = Letter.objects.select_related("mailbox").get(pk=letter_id)
    entry = receipt_entry(letter, list(letter.attachments.all()))
    entry.save(force_insert=True)
    return entry


def _subject_key(subject: Subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        kind, key = subject
        return kind, str(key)
    key = getattr(subject, "public_id", None) or subject.pk
    return subject._meta.label_lower, str(key)
