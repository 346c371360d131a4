"""On PostgreSQL the database refuses UPDATE and DELETE of the log's leaves and signed heads, as of its entries.

Row-level triggers, like 0002's. What stops the application's own role from TRUNCATE or from
switching a trigger off is its grants (``manage.py db_roles``: SELECT and INSERT only, and only the
owner may alter a table); what catches the owner doing it is ``audit_verify`` against the signed heads.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES = ("audit_logleaf", "audit_treehead")

FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % of % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, None)  # None: no placeholders, the "%" is PL/pgSQL's own
        for table in TABLES:
            schema_editor.execute(TRIGGER.format(table=table), None)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", None)
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_log_append_only()", None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_transparency_log")]

    operations = [migrations.RunPython(create, drop)]
