"""Published letters are edited in the admin until the publication workflow exists."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from xinfang.accounts.models import User
from xinfang.portal.models import Publication


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin[Publication]):
    list_display = ("title", "letter", "published_at", "published_by")
    list_filter = ("letter__mailbox",)
    search_fields = ("title", "letter__tracking_number")
    raw_id_fields = ("letter",)
    readonly_fields = ("published_by",)
    date_hierarchy = "published_at"

    def save_model(self, request: HttpRequest, obj: Publication, form: ModelForm[Any], change: bool) -> None:
        """Record who released it: the administrator who first sets the publication time."""
        if obj.published_at is not None and obj.published_by_id is None and isinstance(request.user, User):
            obj.published_by = request.user
        super().save_model(request, obj, form, change)
