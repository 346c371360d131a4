"""The worker's schedule: one row per named job of ``schedule.JOBS``.

The table was created by the notifications app and keeps its name (``notifications_scheduledjob``):
the model moved here in state only (``worker/migrations/0001``), so no row was copied or lost.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """A named job the workers run every ``interval_seconds``; the rows come from ``schedule.JOBS``.

    ``next_run_at`` is claimed with a conditional update, so of several workers exactly one
    enqueues each run; ``running_since`` keeps two runs of one job from overlapping.
    """

    name = models.CharField(_("名称"), max_length=60, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    interval_seconds = models.PositiveIntegerField(_("间隔（秒）"))
    next_run_at = models.DateTimeField(_("下次运行时间"))
    running_since = models.DateTimeField(_("开始运行时间"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    last_result = models.TextField(_("上次结果"), blank=True)
    last_error = models.TextField(_("上次错误"), blank=True)
    run_count = models.PositiveIntegerField(_("运行次数"), default=0)

    class Meta:
        db_table = "notifications_scheduledjob"
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
