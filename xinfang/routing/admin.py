"""Administrators edit routing rules here; the routing engine reads them in ``position`` order."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.choices import PoliceType
from xinfang.routing.defaults import CITY_FUNCTIONS
from xinfang.routing.models import CityLevelFunction, RoutingRule


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


@admin.register(CityLevelFunction)
class CityLevelFunctionAdmin(admin.ModelAdmin[CityLevelFunction]):
    """The functions run at city level: the rows, and the declared defaults no row replaces yet.

    A default is edited by saving a row with its key (the "edit" link opens the add form filled in
    with the default); switching that row off switches the default off."""

    list_display = ("key", "police_type", "words", "is_active", "reason")
    list_filter = ("is_active", "police_type")
    search_fields = ("key", "words", "reason")
    fieldsets = (
        (None, {"fields": ("key", "police_type", "words", "is_active")}),
        (_("理由和依据"), {"fields": ("reason", "reason_en", "source")}),
    )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        replaced = set(CityLevelFunction.objects.values_list("key", flat=True))
        add_url = reverse("admin:routing_citylevelfunction_add")
        defaults = [
            {
                "function": function,
                "police_type": PoliceType(function.police_type).label,
                "edit_url": f"{add_url}?"
                + urlencode(
                    {
                        "key": function.key,
                        "police_type": function.police_type,
                        "words": ", ".join(function.words),
                        "reason": function.reason,
                        "reason_en": function.reason_en,
                        "source": function.source,
                    }
                ),
            }
            for function in CITY_FUNCTIONS
            if function.key not in replaced
        ]
        return super().changelist_view(request, {**(extra_context or {}), "declared_defaults": defaults})
