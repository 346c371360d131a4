"""Administrators change a scheduled job's interval or pause it, and see how its last run went."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xinfang.worker.models import ScheduledJob


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "enabled", "interval_seconds", "next_run_at", "last_finished_at", "run_count", "failing")
    list_editable = ("enabled", "interval_seconds")
    fields = ("name", "enabled", "interval_seconds", "next_run_at", "running_since", "last_started_at",
              "last_finished_at", "run_count", "last_result", "last_error")  # fmt: skip
    readonly_fields = ("name", "running_since", "last_started_at", "last_finished_at", "run_count", "last_result",
                       "last_error")  # fmt: skip

    @admin.display(boolean=True, description=_("上次出错"))
    def failing(self, obj: ScheduledJob) -> bool:
        return bool(obj.last_error)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
