"""Administration of the holiday calendar and the local time limits."""

from __future__ import annotations

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from xinfang.deadlines.models import Holiday, HolidayYear, TimeLimitPolicy


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("date", "name", "is_working_day")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "source", "loaded_at", "loaded_by")
    readonly_fields = ("loaded_at", "loaded_by")

    def save_model(self, request: HttpRequest, obj: HolidayYear, form: ModelForm[HolidayYear], change: bool) -> None:
        obj.loaded_by = request.user if request.user.is_authenticated else None
        obj.loaded_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("step", "mailbox", "letter_type", "days", "day_kind", "note")
    list_filter = ("step", "day_kind", "letter_type")
    list_select_related = ("mailbox",)
    search_fields = ("note", "mailbox__name")
