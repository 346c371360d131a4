"""Administrators set each mailbox's early-warning rule (without one, 3 writers in 90 days apply)."""

from __future__ import annotations

from django.contrib import admin

from xinfang.analysis.models import WarningRule


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin[WarningRule]):
    list_display = ["mailbox", "writers", "days", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["mailbox__name", "mailbox__slug"]
    autocomplete_fields = ["mailbox"]
    list_select_related = ["mailbox"]
