"""Identity retention: who wrote a letter is erased a set time after the letter was finished (issue 7).

``XINFANG_IDENTITY_RETENTION_DAYS`` after the last of a writer's letters was finished:

- a citizen (who has not signed in within the period either) loses the name, ID number, phone and
  address of their ``CitizenIdentity`` (the encrypted columns hold an empty value) and its look-up
  hashes, so a look-up by phone or ID number finds nobody; the account loses its e-mail address
  and names and is closed (inactive, no usable password);
- an anonymous caller loses the number and its look-up hash.

The letters, their timelines and messages and the statistics stay, as do the accounts' ids, so
a letter still says it came from the same (now nameless) writer. Each erasure is one
transaction with its ``identity_erasure`` audit row and sets ``erased_at``, so it happens once.
The worker runs :func:`identities_erase` daily (``worker.retention``); operators run
``manage.py erase_identities``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xinfang.accounts.models import CitizenIdentity, User
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.batches import by_pk
from xinfang.letters.models import OPEN_STATES, AnonymousCaller, Letter
from xinfang.notifications.models import Delivery

BATCH = 200
IDENTITY_VALUES = ("real_name", "id_number", "phone", "address")


@dataclass
class ErasureCount:
    """Identities erased (or, for a dry run, due): citizens' and anonymous callers'."""

    citizens: int = 0
    callers: int = 0


def retention_cutoff(now: dt.datetime) -> dt.datetime:
    """Letters finished and sign-ins before this moment are past the retention period."""
    days = settings.XINFANG_IDENTITY_RETENTION_DAYS
    if days < 1:  # 0 would erase every finished letter's writer at once, and erasure is final
        raise ImproperlyConfigured("XINFANG_IDENTITY_RETENTION_DAYS must be at least 1")
    return now - dt.timedelta(days=days)


def citizens_due(cutoff: dt.datetime) -> QuerySet[CitizenIdentity]:
    """Identities whose citizen has letters, all finished before ``cutoff``, and no sign-in since."""
    letters = Letter.objects.filter(citizen=OuterRef("user_id"))
    return CitizenIdentity.objects.filter(
        Exists(letters),
        ~Exists(letters_still_needed(letters, cutoff)),
        Q(user__last_login__isnull=True) | Q(user__last_login__lt=cutoff),
        erased_at__isnull=True,
    )


def callers_due(cutoff: dt.datetime) -> QuerySet[AnonymousCaller]:
    """Anonymous callers whose letters were all finished before ``cutoff``."""
    letters = Letter.objects.filter(anonymous_caller=OuterRef("pk"))
    still_needed = letters_still_needed(letters, cutoff)
    return AnonymousCaller.objects.filter(Exists(letters), ~Exists(still_needed), erased_at__isnull=True)


def letters_still_needed(letters: QuerySet[Letter], cutoff: dt.datetime) -> QuerySet[Letter]:
    """Letters that keep their writer's identity: open, or finished at ``cutoff`` or later (or at no known time)."""
    return letters.filter(Q(state__in=OPEN_STATES) | Q(finished_at__isnull=True) | Q(finished_at__gte=cutoff))


def identities_due(*, now: dt.datetime | None = None) -> ErasureCount:
    """How many identities :func:`identities_erase` would erase now (it changes nothing)."""
    cutoff = retention_cutoff(now or timezone.now())
    return ErasureCount(citizens=citizens_due(cutoff).count(), callers=callers_due(cutoff).count())


def identities_erase(*, now: dt.datetime | None = None) -> ErasureCount:
    """Erase every identity past the retention period, each in its own transaction; returns the counts."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    erased = ErasureCount()
    for identity in by_pk(citizens_due(cutoff).only("pk"), BATCH):
        erased.citizens += _citizen_erase(identity.pk, cutoff=cutoff, now=now)
    for caller in by_pk(callers_due(cutoff).only("pk"), BATCH):
        erased.callers += _caller_erase(caller.pk, cutoff=cutoff, now=now)
    return erased


def _citizen_erase(pk: int, *, cutoff: dt.datetime, now: dt.datetime) -> int:
    """Erase one citizen's identity and close the account; 1 if done, 0 if no longer due.

    1. The row is read again, locked and with the conditions, inside the transaction: a citizen
       who signed in or wrote meanwhile, or a concurrent run that got there first, is left alone.
    2. The encrypted values become empty and the look-up hashes with them (``BlindIndexField``
       hashes the empty value to "").
    3. The account is closed with an update, not ``save()``: the audit row below records the
       closing, so the permission-change receivers would only add a second row for it.
    4. Delivery errors to the citizen go too (a refused e-mail address is quoted in them).
    """
    with transaction.atomic():
        identity = citizens_due(cutoff).select_for_update(of=("self",)).filter(pk=pk).first()
        if identity is None:
            return 0
        for field in IDENTITY_VALUES:
            setattr(identity, field, "")
        identity.phone_verified_at = None
        identity.erased_at = now
        identity.save(
            update_fields=[*IDENTITY_VALUES, "phone_verified_at", "phone_hash", "id_number_hash", "erased_at"]
        )
        User.objects.filter(pk=identity.user_id).update(
            email="", first_name="", last_name="", is_active=False, password=make_password(None)
        )
        delivery_errors_forget(f"user:{identity.user_id}")
        letters = Letter.objects.filter(citizen_id=identity.user_id).count()
        audit_record(
            kind=AuditKind.IDENTITY_ERASURE,
            actor=None,
            subject=("accounts.user", identity.user_id),
            data={"letters": letters, "account_closed": True},
        )
    return 1


def _caller_erase(pk: int, *, cutoff: dt.datetime, now: dt.datetime) -> int:
    """Erase one anonymous caller's number (read again and locked, as for a citizen); 1 if done."""
    with transaction.atomic():
        caller = callers_due(cutoff).select_for_update(of=("self",)).filter(pk=pk).first()
        if caller is None:
            return 0
        caller.phone = ""
        caller.erased_at = now
        caller.save(update_fields=["phone", "phone_hash", "erased_at"])
        delivery_errors_forget(f"caller:{caller.pk}")
        letters = Letter.objects.filter(anonymous_caller=caller).count()
        audit_record(kind=AuditKind.IDENTITY_ERASURE, actor=None, subject=caller, data={"letters": letters})
    return 1


def delivery_errors_forget(recipient_key: str) -> None:
    """A refused address is quoted in the errors of deliveries to it: they go with the identity."""
    Delivery.objects.filter(recipient_key=recipient_key).exclude(last_error="").update(last_error="")
