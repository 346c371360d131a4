"""Background tasks of the statistics app (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def letter_export_make(export_id: int) -> str:
    """Make one large letter-list export (queued by ``exports.letters_export``); idempotent."""
    from xinfang.statistics.exports import letter_export_make as make

    return make(export_id=export_id)
