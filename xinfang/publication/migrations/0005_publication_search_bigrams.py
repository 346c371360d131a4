"""PostgreSQL gets an index of the character pairs of each publication's texts; elsewhere (SQLite)
this does nothing.

Most Chinese search words have two characters (户籍, 噪音, 诈骗), and ``pg_trgm`` (migration 0004)
cannot use its index for a word shorter than three characters: such a search read every published
letter of the mailbox. ``xinfang_bigrams(text)`` is the set of a text's two-character substrings;
a GIN index of it over the upper-cased title, letter and reply (joined by spaces) finds the
publications containing a two-character word (``publication.selectors._contains``). It is declared
expensive, so that a plan reading rows in date order tests the cheap substring condition first and
computes the pairs only for the rows that pass it. Measured: docs/benchmarks.md.
"""

from typing import Any

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION xinfang_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}'::text[])
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""
INDEX = """
CREATE INDEX IF NOT EXISTS publication_search_bigrams ON portal_publication
USING gin (xinfang_bigrams(UPPER(title || ' ' || published_text || ' ' || published_reply)))
"""


def bigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)


def drop_bigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS publication_search_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS xinfang_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("publication", "0004_publication_search_index")]

    operations = [migrations.RunPython(bigram_index, drop_bigram_index)]
