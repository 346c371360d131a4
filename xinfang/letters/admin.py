"""Read-only admin views of letters: every change goes through the services, never the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xinfang.letters.access import letters_visible_to
from xinfang.letters.lifecycle import event_label
from xinfang.letters.models import Letter, LetterEvent, SupervisionOrder


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LetterEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LetterEvent
    fields = ("at", "action_label", "from_state", "to_state", "actor", "citizen_visible", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("操作"))
    def action_label(self, event: LetterEvent) -> str:
        return event_label(event.action)  # the timeline's label, not the recorded code

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LetterScope:
    """The access policy holds in the admin too: an administrator sees the rows of the letters their
    unit may see (recusal included), never the whole country's because they are a superuser.

    ``letter_path`` leads from the row to its letter. A row that names no letter is shown only where
    ``rows_without_letter`` allows (``None``: never), so that one carrying a writer's data (a
    delivery to a citizen's phone) stays hidden. The change, history and search pages and the
    autocomplete all start from ``get_queryset``, so a row out of reach is "not found" everywhere.
    """

    letter_path = "pk"
    rows_without_letter: Q | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        visible = Q(**{f"{self.letter_path}__in": letters_visible_to(request.user).values("pk")})  # type: ignore[arg-type]
        if self.rows_without_letter is not None:
            visible |= Q(**{f"{self.letter_path}__isnull": True}) & self.rows_without_letter
        return rows.filter(visible)


class LetterScopedAdmin(LetterScope, ReadOnlyAdmin):
    pass


@admin.register(Letter)
class LetterAdmin(LetterScopedAdmin):
    list_display = ["tracking_number", "mailbox", "letter_type", "state", "current_due", "received_at"]
    list_filter = ["state", "letter_type", "channel", "supervision_flag"]
    search_fields = ["tracking_number"]
    raw_id_fields = ["mailbox", "accused_unit", "intake_unit", "handling_unit", "citizen", "repeat_of"]
    exclude = ["query_code_hash", "text", "citizen", "anonymous_caller"]  # identity and text stay in the console
    inlines = [LetterEventInline]
    ordering = ["-received_at", "-pk"]
    show_full_result_count = False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(LetterScopedAdmin):
    letter_path = "letter"
    list_display = ["letter", "issuing_unit", "automatic", "due", "responded_at"]
    list_filter = ["automatic"]
    raw_id_fields = ["letter", "issuing_unit"]
