"""Administrators edit routing rules here; the routing engine reads them in ``position`` order."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xinfang.routing.models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = (
        "position",
        "name",
        "is_active",
        "mailbox",
        "letter_type",
        "police_type",
        "division_prefix",
        "target",
    )
    list_display_links = ("name",)
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "letter_type", "police_type")
    search_fields = ("name", "name_en", "division_prefix", "target__name", "target__code")
    ordering = ("position", "id")
    raw_id_fields = ("mailbox", "target")
    list_select_related = ("mailbox", "target")
    fieldsets = (
        (None, {"fields": ("name", "name_en", "position", "is_active")}),
        (_("匹配条件"), {"fields": ("mailbox", "letter_type", "police_type", "division_prefix")}),
        (_("分流结果"), {"fields": ("target", "note")}),
    )
