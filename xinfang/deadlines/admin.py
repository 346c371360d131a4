"""Administration of the holiday calendar and the local time limits."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from xinfang.deadlines.models import Holiday, HolidayYear, TimeLimitPolicy
from xinfang.deadlines.services import holiday_year_changed


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Editing a holiday recomputes the provisional due dates of its year, as loading a year does."""

    list_display = ("date", "name", "is_working_day")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: Holiday, form: ModelForm[Holiday], change: bool) -> None:
        years = {obj.date.year, *([form.initial["date"].year] if change and form.initial.get("date") else [])}
        super().save_model(request, obj, form, change)
        for year in sorted(years):
            holiday_year_changed(year=year)

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        super().delete_model(request, obj)
        holiday_year_changed(year=obj.date.year)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> None:
        years = sorted({day.year for day in queryset.values_list("date", flat=True)})
        super().delete_queryset(request, queryset)
        for year in years:
            holiday_year_changed(year=year)


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "source", "loaded_at", "loaded_by")
    readonly_fields = ("loaded_at", "loaded_by")

    def save_model(self, request: HttpRequest, obj: HolidayYear, form: ModelForm[HolidayYear], change: bool) -> None:
        obj.loaded_by = request.user if request.user.is_authenticated else None
        obj.loaded_at = timezone.now()
        super().save_model(request, obj, form, change)
        holiday_year_changed(year=obj.year)


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("step", "mailbox", "letter_type", "days", "day_kind", "note")
    list_filter = ("step", "day_kind", "letter_type")
    list_select_related = ("mailbox",)
    search_fields = ("note", "mailbox__name")
