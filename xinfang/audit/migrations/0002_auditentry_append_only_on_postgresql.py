"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit rows (SQLite: the model refuses them).

A row-level trigger, so that TRUNCATE (which the test suite's flush uses between transactional
tests) still works; the chain's anchor (``audit_verify --anchor``) catches a table emptied that way.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % of audit_auditentry is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_append_only();
"""


def _on_postgresql(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # None: no placeholders, the "%" is PL/pgSQL's own

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_auditentry_create")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
