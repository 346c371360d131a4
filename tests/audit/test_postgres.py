"""On PostgreSQL: the database refuses to change or delete audit rows, and concurrent appends form one chain."""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest
from django.db import DatabaseError, connection, transaction

from tests.audit.conftest import sql
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.audit.selectors import audit_chain_verify
from xinfang.audit.services import audit_record

pytestmark = pytest.mark.postgres_only
THREADS = 8
TRANSACTIONS_EACH = 10


@pytest.mark.usefixtures("needs_postgres")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET data = '{{}}' WHERE id = %s",
        "UPDATE {table} SET hash = hash WHERE id = %s",
        "DELETE FROM {table} WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_row(chain: list[AuditEntry], statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement, [chain[2].pk])

    assert AuditEntry.objects.count() == len(chain)
    assert audit_chain_verify().intact


@pytest.mark.usefixtures("needs_postgres", "restores_what_the_flush_removes")
def test_concurrent_appends_form_one_chain(transactional_db: None) -> None:
    """Eight threads append at once, two rows per transaction; the two rows of one transaction stay adjacent.

    Adjacent rows show that the chain lock is held until commit: without it another thread could
    slip a row between them, or two threads could read the same head and one would fail.
    """
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for n in range(TRANSACTIONS_EACH):
                with transaction.atomic():
                    for half in ("first", "second"):
                        data = {"worker": worker, "n": n, "half": half}
                        audit_record(kind=AuditKind.EXPORT, actor=None, subject=None, data=data)
        except BaseException as exc:  # reported to the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    report = audit_chain_verify()
    assert report.intact
    assert report.count == THREADS * TRANSACTIONS_EACH * 2
    rows = list(AuditEntry.objects.order_by("sequence").values_list("data", flat=True))
    for first, second in pairwise(rows):
        if first["half"] == "first":
            assert second == {**first, "half": "second"}
