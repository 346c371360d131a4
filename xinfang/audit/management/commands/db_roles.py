"""``manage.py db_roles``: on PostgreSQL, the application's own role, which may only read and append the log.

Run it as the owner (the role that migrates, ``DATABASE_URL`` as the operator uses it for
``migrate``), after every ``migrate``; then run the web and worker processes as the application
role (docs/operations.md, Database roles). The application role:

- may SELECT, INSERT, UPDATE and DELETE the other tables, and use their sequences;
- may only SELECT and INSERT the log's tables (entries, leaves, signed heads): no UPDATE, DELETE,
  TRUNCATE; and, not owning them, it cannot ALTER them (no ``DISABLE TRIGGER``, no ``DROP``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from psycopg import sql

from xinfang.audit.models import AuditEntry, LogLeaf, TreeHead

LOG_TABLES = tuple(m._meta.db_table for m in (AuditEntry, LogLeaf, TreeHead))


class Command(BaseCommand):
    help = (
        "Create (or bring up to date) the PostgreSQL application role: "
        "full use of the tables, but only SELECT and INSERT on the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--app-role", default="xinfang_app", help="the application role's name (default xinfang_app)"
        )
        parser.add_argument("--password", default="", help="set the role's password (else it is left as it is)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("db_roles is for PostgreSQL (SQLite has no roles)")
        role = sql.Identifier(options["app_role"])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [options["app_role"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
            if options["password"]:
                cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(options["password"])))
            database = sql.Identifier(connection.settings_dict["NAME"])
            for statement in (
                "GRANT CONNECT ON DATABASE {db} TO {role}",
                "GRANT USAGE ON SCHEMA public TO {role}",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
            ):
                cursor.execute(sql.SQL(statement).format(db=database, role=role))
            for table in LOG_TABLES:
                cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(table), role))
                cursor.execute(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(sql.Identifier(table), role))
        self.stdout.write(
            f"{options['app_role']}: SELECT and INSERT only on {', '.join(LOG_TABLES)}; full use of the other tables."
        )
