"""Published letters are edited in the admin until the publication workflow exists.

An administrator works on the publications of the letters their unit may see (``letters.access``):
a draft still carries the letter's subject, and every row names its letter's tracking number. The
letter is chosen by searching those letters, never by typing an id that would show any letter.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest

from xinfang.accounts.models import User
from xinfang.letters.access import letters_visible_to
from xinfang.letters.admin import LetterScope
from xinfang.publication.models import Publication


@admin.register(Publication)
class PublicationAdmin(LetterScope, admin.ModelAdmin[Publication]):
    letter_path = "letter"
    list_display = ("title", "letter", "published_at", "published_by")
    list_filter = ("letter__mailbox",)
    search_fields = ("title", "letter__tracking_number")
    autocomplete_fields = ("letter",)
    readonly_fields = ("published_by",)
    date_hierarchy = "published_at"

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "letter":
            kwargs["queryset"] = letters_visible_to(request.user)  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Publication, form: ModelForm[Any], change: bool) -> None:
        """Record who released it: the administrator who first sets the publication time."""
        if obj.published_at is not None and obj.published_by_id is None and isinstance(request.user, User):
            obj.published_by = request.user
        super().save_model(request, obj, form, change)
