from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    """The background worker: the task queue, the schedule of named jobs and the retention job.

    Domain-neutral: it runs jobs that other apps define and imports them, never the other way round.
    """

    name = "xinfang.worker"
    label = "worker"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from xinfang.letters.signals import identity_revealed
        from xinfang.worker import receivers

        identity_revealed.connect(receivers.on_identity_revealed, dispatch_uid="xinfang.worker.identity_revealed")
        _name_in_chinese()


def _name_in_chinese() -> None:
    """django-tasks' database back-end names its app in English only; the back office lists it to
    administrators who read Chinese (its models' names are translated in xinfang/locale/zh_Hans)."""
    from django.apps import apps

    apps.get_app_config("django_tasks_database").verbose_name = _("任务队列")
