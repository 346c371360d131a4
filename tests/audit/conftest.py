"""Audit fixtures: a sealed log to tamper with, and raw-SQL tampering as an intruder with database access does it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection

from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry, AuditKind, LogLeaf, TreeHead
from xinfang.audit.sealing import log_seal
from xinfang.audit.services import audit_record

TABLE = AuditEntry._meta.db_table
LEAVES = LogLeaf._meta.db_table
HEADS = TreeHead._meta.db_table
LOG_LENGTH = 12


@pytest.fixture
def chain(db: None, handler: User) -> list[AuditEntry]:
    """The whole log (oldest first) after twelve more rows of mixed kinds, actors, subjects and payloads,
    sealed in two heads (after the first seven rows and after all)."""
    kinds = [AuditKind.STATE_CHANGE, AuditKind.SIGN_IN, AuditKind.EXPORT, AuditKind.PERMISSION_CHANGE]
    for i in range(LOG_LENGTH):
        if i == 7:
            log_seal()
        audit_record(
            kind=kinds[i % len(kinds)],
            actor=handler if i % 3 else None,
            subject=("letters.letter", uuid.UUID(int=i)),
            data={"step": i, "on": dt.date(2026, 11, 1 + i), "share": i / 3, "nested": {"ok": i % 2 == 0}},
        )
    log_seal()
    return list(AuditEntry.objects.order_by("pk"))


@pytest.fixture
def tamperable(db: None) -> None:
    """On PostgreSQL switch the append-only triggers off for this test's transaction (rolled back after it).

    The tables' owner may do this; the triggers and grants guard against the application, not
    against the database's owner (see the migrations) — the signed heads catch the owner. On
    SQLite there are no triggers. Foreign keys are checked at commit, which never comes.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_auditentry_append_only")
            for table in (LEAVES, HEADS):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=TABLE, leaves=LEAVES, heads=HEADS), params or [])
