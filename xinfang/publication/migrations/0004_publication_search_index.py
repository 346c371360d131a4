"""PostgreSQL gets trigram indexes for the public search; elsewhere (SQLite) this does nothing.

``pg_trgm`` GIN indexes on the upper-cased title, letter and reply serve the public search
(Django's ``icontains`` is ``UPPER(col::text) LIKE UPPER(%s)``), Chinese without spaces included.
Creating the extension needs a role allowed to (docs/operations.md).
"""

from typing import Any

from django.db import migrations

COLUMNS = ("title", "published_text", "published_reply")


def trigram_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS publication_{column}_trgm ON portal_publication "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS publication_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("publication", "0003_publication_fill_state")]

    operations = [migrations.RunPython(trigram_indexes, drop_trigram_indexes)]
