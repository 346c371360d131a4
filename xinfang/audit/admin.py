"""The audit log in the back office: read-only; nobody adds, changes or deletes a row here.

A row about a letter (or about an explanation request on one) names it by tracking number and may
quote a typed reason, so an administrator sees those rows only for the letters their unit may see,
as everywhere else (``letters.access``); the rest of the log (sign-ins, permission changes) is whole.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Replace
from django.http import HttpRequest

from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry
from xinfang.audit.services import RECEIPT_SUBJECT
from xinfang.explanations.models import ExplanationRequest
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Letter

# A letter's receipt entry names it by tracking number (``audit.services.RECEIPT_SUBJECT``).
LETTER_SUBJECTS = (Letter._meta.label_lower, ExplanationRequest._meta.label_lower, RECEIPT_SUBJECT)


def _hex(expression: F | Cast) -> Replace:
    """A public id as 32 hex digits: how SQLite stores a UUID and how PostgreSQL's text of one reads without dashes."""
    return Replace(expression, Value("-"), Value(""))


def _public_keys(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.annotate(key=_hex(Cast("public_id", output_field=CharField()))).values("key")


def visible_entries(entries: QuerySet[AuditEntry], user: User) -> QuerySet[AuditEntry]:
    letters = letters_visible_to(user)
    requests = ExplanationRequest.objects.filter(letter__in=letters.values("pk"))
    return entries.annotate(subject_key=_hex(F("subject_id"))).filter(
        ~Q(subject_type__in=LETTER_SUBJECTS)
        | Q(subject_type=LETTER_SUBJECTS[0], subject_key__in=_public_keys(letters))
        | Q(subject_type=LETTER_SUBJECTS[1], subject_key__in=_public_keys(requests))
        | Q(subject_type=RECEIPT_SUBJECT, subject_id__in=letters.values("tracking_number"))
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("id", "at", "kind", "actor", "subject_type", "subject_id")
    list_filter = ("kind",)
    search_fields = ("subject_id",)
    date_hierarchy = "at"
    list_select_related = ("actor",)
    fields = ("id", "at", "kind", "actor", "subject_type", "subject_id", "data")
    readonly_fields = fields
    show_full_result_count = False  # counting a long log on every page is slow

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        assert isinstance(request.user, User)  # admin pages are reached signed in
        return visible_entries(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
