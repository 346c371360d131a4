"""Existing publications get their state and mailbox.

A row with a publication time was public: it becomes ``published``; every other row stays a
draft. Each row copies its letter's mailbox. The reverse has nothing to undo (the columns go).
The search indexes come in the next migration: on PostgreSQL an index cannot be created in the
transaction that updated the rows (their foreign-key checks are still pending).
"""

from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    publications = apps.get_model("publication", "Publication").objects.using(schema_editor.connection.alias)
    for publication in publications.select_related("letter").iterator():
        publication.mailbox_id = publication.letter.mailbox_id
        publication.state = "published" if publication.published_at is not None else "draft"
        publication.save(update_fields=["mailbox", "state"])


class Migration(migrations.Migration):
    dependencies = [("publication", "0002_publication_workflow_and_policy")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
