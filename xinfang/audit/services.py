"""The one write to the audit log: ``audit_record``.

Other apps call it (exports will) or reach it through the receivers in ``receivers.py``. It
runs inside the caller's transaction when there is one, so the row commits or rolls back with
the change it records.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.models import GENESIS_HASH, AuditEntry, entry_hash, normalise_data

# Key of the PostgreSQL advisory lock that serialises appends ("audit" in ASCII).
CHAIN_LOCK_KEY = 0x6175646974

Subject = models.Model | tuple[str, object] | None


def audit_record(*, kind: str, actor: User | None, subject: Subject, data: dict[str, Any]) -> AuditEntry:
    """Append one row to the chain and return it.

    1. Take the chain lock: on PostgreSQL a transaction-level advisory lock, held until the
       enclosing transaction ends, so a concurrent append waits until this one is committed and
       then sees it as the head; SQLite's IMMEDIATE transactions already admit one writer at a time.
    2. Read the head (the highest sequence) and link the new row to it.
    3. Insert. The unique ``sequence`` is the last guard: two appends that somehow read the same
       head cannot both commit, so the chain never forks.

    ``subject`` is a model instance (recorded by its public id when it has one) or a
    ``(type, id)`` pair. ``data`` must hold no identity values and no letter text.
    """
    subject_type, subject_id = _subject_key(subject)
    # No savepoint: a failed append must undo the change it records, so it dooms the caller's
    # transaction instead of letting the caller go on without its audit row.
    with transaction.atomic(savepoint=False):
        _lock_chain()
        head = AuditEntry.objects.order_by("-sequence").values("sequence", "hash").first()
        sequence = head["sequence"] + 1 if head else 1
        prev_hash = head["hash"] if head else GENESIS_HASH
        entry = AuditEntry(
            sequence=sequence,
            at=timezone.now(),
            kind=kind,
            actor=actor,
            subject_type=subject_type,
            subject_id=subject_id,
            data=normalise_data(data),
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(
            sequence=entry.sequence,
            at=entry.at,
            kind=entry.kind,
            actor_id=actor.pk if actor is not None else None,
            subject_type=subject_type,
            subject_id=subject_id,
            data=entry.data,
            prev_hash=prev_hash,
        )
        entry.save(force_insert=True)
    return entry


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _subject_key(subject: Subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        kind, key = subject
        return kind, str(key)
    key = getattr(subject, "public_id", None) or subject.pk
    return subject._meta.label_lower, str(key)
