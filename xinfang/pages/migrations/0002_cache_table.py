"""The table of the database cache (``settings.CACHES``), shared by every web process (issue 17 §4).

Django makes it with ``createcachetable``, which ``migrate`` does not run: made here, every deployment
that migrates has it. Running it again does nothing when the table exists."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations

DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"


def cache_table_create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def cache_table_drop(apps, schema_editor):
    for cache in settings.CACHES.values():
        if cache["BACKEND"] == DATABASE_CACHE:
            schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(cache['LOCATION'])}")


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_throttlecount_moved_from_portal"),
    ]

    operations = [migrations.RunPython(cache_table_create, cache_table_drop)]
