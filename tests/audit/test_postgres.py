"""On PostgreSQL: the database refuses to change or delete log rows, the application role may only read and
append the log, and concurrent appends (no lock any more) all find their place in one tree."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tests.audit.conftest import sql
from xinfang.audit.models import AuditEntry, AuditKind, LogLeaf, TreeHead
from xinfang.audit.sealing import log_seal
from xinfang.audit.selectors import log_verify
from xinfang.audit.services import audit_record

pytestmark = pytest.mark.postgres_only
THREADS = 8
TRANSACTIONS_EACH = 10
APP_ROLE = "xinfang_app_test"


@pytest.mark.usefixtures("needs_postgres")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET data = '{{}}' WHERE id = %s",
        "DELETE FROM {table} WHERE id = %s",
        "UPDATE {leaves} SET hash = hash WHERE entry_id = %s",
        "DELETE FROM {leaves} WHERE entry_id = %s",
        "UPDATE {heads} SET root_hash = root_hash WHERE tree_size > 0 AND %s > 0",
        "DELETE FROM {heads} WHERE tree_size > 0 AND %s > 0",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_row(chain: list[AuditEntry], statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement, [chain[2].pk])

    assert AuditEntry.objects.count() == len(chain)
    assert log_verify().intact


def as_app_role(statement: str, params: list[object] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(
            statement.format(table="audit_auditentry", leaves="audit_logleaf", heads="audit_treehead"), params or []
        )


@pytest.mark.usefixtures("needs_postgres")
@pytest.mark.parametrize("table", ["{table}", "{leaves}", "{heads}"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {t} SET {column} = {column}",
        "DELETE FROM {t}",
        "TRUNCATE {t}",
        "ALTER TABLE {t} DISABLE TRIGGER ALL",
        "ALTER TABLE {t} OWNER TO CURRENT_USER",
        "DROP TABLE {t}",
    ],
)
def test_the_application_role_cannot_update_delete_truncate_or_disable_triggers(
    chain: list[AuditEntry], table: str, statement: str
) -> None:
    """Before: the application ran as the tables' owner, which may TRUNCATE them or switch off the trigger."""
    call_command("db_roles", "--app-role", APP_ROLE)
    column = {"{table}": "kind", "{leaves}": "hash", "{heads}": "root_hash"}[table]

    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        as_app_role(statement.format(t=table, column=column))

    assert log_verify().intact


@pytest.mark.usefixtures("needs_postgres")
def test_the_application_role_may_read_and_append_the_log(chain: list[AuditEntry]) -> None:
    call_command("db_roles", "--app-role", APP_ROLE)

    as_app_role("SELECT count(*) FROM {table} JOIN {leaves} ON entry_id = {table}.id")
    as_app_role(
        "INSERT INTO {table} (at, kind, subject_type, subject_id, data) VALUES (now(), 'export', '', '', '{{}}')"
    )
    as_app_role("SELECT count(*) FROM letters_letter")
    as_app_role("UPDATE letters_letter SET subject = subject")


@pytest.mark.usefixtures("needs_postgres", "restores_what_the_flush_removes")
def test_concurrent_appends_all_find_their_place_in_one_tree(transactional_db: None) -> None:
    """Eight threads append at once, two rows per transaction, without waiting for each other; one seal
    then gives every row a place, in id order, and the tree is whole."""
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
    log_seal()

    assert failures == []
    report = log_verify()
    assert report.intact
    assert report.leaves == AuditEntry.objects.count() >= THREADS * TRANSACTIONS_EACH * 2
    ids = list(LogLeaf.objects.order_by("index").values_list("entry_id", flat=True))
    assert ids == sorted(ids)
    assert TreeHead.objects.order_by("-tree_size").values_list("tree_size", flat=True)[0] == len(ids)
