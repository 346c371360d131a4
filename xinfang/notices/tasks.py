"""Background task (django-tasks, database backend): one notice's PDF, rendered by whichever worker
takes it, so rendering spreads over every worker instead of the one running the scheduled job.

Enqueued in the transaction that issues the notice (``services.notice_issue``), and again by the
job for a notice still without a file minutes later (a task lost or failed). Idempotent: it renders
only a notice without a file, under a row lock that a second worker skips.
"""

from __future__ import annotations

from django_tasks import task


@task()
def render_notice(notice_id: int) -> bool:
    """Render and attach the PDF of one notice; False if there was nothing to do or it failed."""
    from xinfang.notices.services import notice_render

    return notice_render(notice_id=notice_id)
