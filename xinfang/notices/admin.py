"""Administrators edit the notices' wording (within the required elements) and the organs' codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.template import TemplateSyntaxError
from django.utils.translation import gettext as _

from xinfang.letters.admin import LetterScopedAdmin
from xinfang.notices.content import ENGINE
from xinfang.notices.defaults import DEFAULTS
from xinfang.notices.models import IssuerCode, Notice, NoticeTemplate


class NoticeTemplateForm(forms.ModelForm[NoticeTemplate]):
    class Meta:
        model = NoticeTemplate
        fields = ("kind", "title", "series", "opening", "rights", "closing", "legal_basis")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("opening", "rights", "closing"):
            try:
                ENGINE.from_string(data.get(name) or "")
            except TemplateSyntaxError as exc:
                self.add_error(name, _("格式有误：%(error)s") % {"error": exc})
        if not (data.get("legal_basis") or "").strip():
            self.add_error("legal_basis", _("法律依据是告知书的必备内容，不能为空。"))
        return data


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin[NoticeTemplate]):
    form = NoticeTemplateForm
    list_display = ("kind", "title", "series", "updated_at")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new row starts from the declared default of the kind asked for (``?kind=reply``)."""
        initial = super().get_changeform_initial_data(request)
        default = DEFAULTS.get(str(request.GET.get("kind", "")))
        if default is not None:
            initial.update(
                title=default.title, series=default.series, opening=default.opening, rights=default.rights,
                closing=default.closing, legal_basis=default.legal_basis,
            )  # fmt: skip
        return initial


@admin.register(IssuerCode)
class IssuerCodeAdmin(admin.ModelAdmin[IssuerCode]):
    list_display = ("unit", "code")
    autocomplete_fields = ("unit",)


@admin.register(Notice)
class NoticeAdmin(LetterScopedAdmin):
    """Read-only and scoped like the letters: notices are made by the worker and never edited; the
    PDF itself is downloaded from the letter's page in the console."""

    letter_path = "letter"
    list_display = ["document_number", "kind", "issuing_unit", "issued_at", "rendered_at"]
    list_filter = ["kind", "year"]
    search_fields = ["document_number"]
    exclude = ["file"]
    raw_id_fields = ["letter", "event", "issuing_unit"]
