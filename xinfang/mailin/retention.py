"""What letters by e-mail keep about their senders, and for how long (docs/operations.md, Retention).

The raw message is emptied as soon as it has become a letter or been refused
(``services.message_convert``). What remains of the sender is the address: on the spool row (the
envelope sender, the reply address, the Message-ID, a failed answer's error, a query code not
sent) and in the account made for the writer (``services._writer_for``: the address as its
e-mail, and a hash of the address as its user name, which confirms a guessed address).

- **A writer by e-mail** is erased as a citizen is (``accounts.retention``), with the same cutoff:
  once every letter of the account was finished more than ``XINFANG_IDENTITY_RETENTION_DAYS``
  ago. The account loses the address and its hash (user name ``erased-mail-<id>``) and is
  closed, the spool rows of its letters lose the sender, and an ``identity_erasure`` audit row
  says so: one transaction each, so it happens once. The letters stay. A later e-mail from the
  same address makes a new account.
- **A message that became no letter** (refused) leaves no record to keep its sender for: the
  address goes ``XINFANG_MAILIN_REFUSED_DAYS`` after the message was processed and answered.

The worker's daily ``retention`` job runs :func:`senders_erase`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.accounts.retention import delivery_errors_forget, letters_still_needed, retention_cutoff
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.batches import by_pk
from xinfang.letters.models import Letter
from xinfang.mailin.models import InboundMessage
from xinfang.mailin.services import WRITER_PREFIX

BATCH = 200
SENDER_ERASED: dict[str, Any] = {
    "envelope_sender": "", "reply_to": "", "message_id": "", "reply_error": "", "reply_code": "", "raw": b"",
}  # fmt: skip


@dataclass
class SenderErasure:
    """Writers' accounts erased, and senders of messages that became no letter."""

    writers: int = 0
    refused: int = 0


def writers_due(cutoff: dt.datetime) -> QuerySet[User]:
    """E-mail writers' accounts not yet erased whose letters were all finished before ``cutoff``."""
    letters = Letter.objects.filter(citizen=OuterRef("pk"))
    return User.objects.filter(
        Exists(letters), ~Exists(letters_still_needed(letters, cutoff)),
        kind=User.Kind.CITIZEN, identity__isnull=True, username__startswith=WRITER_PREFIX,
    )  # fmt: skip


def refused_due(now: dt.datetime) -> QuerySet[InboundMessage]:
    """Messages that became no letter, answered (or given up) and processed over the period ago."""
    before = now - dt.timedelta(days=settings.XINFANG_MAILIN_REFUSED_DAYS)
    return InboundMessage.objects.filter(
        status=InboundMessage.Status.REFUSED, processed_at__lt=before, reply_due_at__isnull=True
    ).exclude(envelope_sender="")


def senders_due(*, now: dt.datetime | None = None) -> SenderErasure:
    """What :func:`senders_erase` would erase now, counted (``manage.py erase_identities --dry-run``)."""
    now = now or timezone.now()
    return SenderErasure(writers=writers_due(retention_cutoff(now)).count(), refused=refused_due(now).count())


def senders_erase(*, now: dt.datetime | None = None) -> SenderErasure:
    """Erase every e-mail sender past its period (see the module); returns the counts."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    erased = SenderErasure()
    for writer in by_pk(writers_due(cutoff).only("pk"), BATCH):
        erased.writers += writer_erase(writer.pk, cutoff=cutoff)
    erased.refused = refused_due(now).update(**SENDER_ERASED)
    return erased


def writer_erase(pk: int, *, cutoff: dt.datetime) -> int:
    """Erase one e-mail writer (read again and locked inside the transaction); 1 if done, 0 if no longer due.

    The lock meets the one ``services._writer_for`` takes while a new message becomes a letter of
    this account: whichever commits second sees what the first did."""
    with transaction.atomic():
        writer = writers_due(cutoff).select_for_update(of=("self",)).filter(pk=pk).first()
        if writer is None:
            return 0
        User.objects.filter(pk=pk).update(
            username=f"erased-{WRITER_PREFIX}{pk}", email="", first_name="", last_name="", is_active=False,
            password=make_password(None),
        )  # fmt: skip
        messages = InboundMessage.objects.filter(letter__citizen_id=pk).update(**SENDER_ERASED)
        delivery_errors_forget(f"user:{pk}")
        audit_record(
            kind=AuditKind.IDENTITY_ERASURE,
            actor=None,
            subject=("accounts.user", pk),
            data={
                "letters": Letter.objects.filter(citizen_id=pk).count(),
                "messages": messages,
                "account_closed": True,
            },
        )
    return 1
