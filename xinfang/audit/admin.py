"""The audit log in the back office: read-only; nobody adds, changes or deletes a row here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xinfang.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("sequence", "at", "kind", "actor", "subject_type", "subject_id")
    list_filter = ("kind",)
    search_fields = ("subject_id",)
    date_hierarchy = "at"
    list_select_related = ("actor",)
    fields = ("sequence", "at", "kind", "actor", "subject_type", "subject_id", "data", "prev_hash", "hash")
    readonly_fields = fields
    show_full_result_count = False  # counting a long log on every page is slow

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
