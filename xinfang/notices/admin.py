"""Administrators edit the notices' wording (within the required elements) and the organs' codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template import TemplateSyntaxError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from xinfang.letters.admin import LetterScopedAdmin
from xinfang.notices.content import ENGINE
from xinfang.notices.defaults import DEFAULTS
from xinfang.notices.models import IssuerCode, Notice, NoticeTemplate
from xinfang.notices.services import RENDER_TRIES, notices_render_again


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


class RenderedFilter(admin.SimpleListFilter):
    """Which notices have their PDF, which are waiting for it, and which the worker gave up on."""

    title = _("生成情况")
    parameter_name = "rendered"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("yes", pgettext("notice rendering", "已生成")),
            ("waiting", pgettext("notice rendering", "待生成")),
            ("stopped", _("多次失败，已停止尝试")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notice]) -> QuerySet[Notice]:
        if self.value() == "yes":
            return queryset.exclude(file="")
        if self.value() == "waiting":
            return queryset.filter(file="", render_failures__lt=RENDER_TRIES)
        if self.value() == "stopped":
            return queryset.filter(file="", render_failures__gte=RENDER_TRIES)
        return queryset


@admin.register(Notice)
class NoticeAdmin(LetterScopedAdmin):
    """Read-only and scoped like the letters: notices are made by the worker and never edited; the
    PDF itself is downloaded from the letter's page in the console. A notice the worker could not
    render (``render_failures``) is rendered again from here once the cause is fixed."""

    letter_path = "letter"
    list_display = ["document_number", "kind", "issuing_unit", "issued_at", "rendered_at", "render_failures"]
    list_filter = [RenderedFilter, "kind", "year"]
    actions = ["render_again"]
    search_fields = ["document_number"]
    exclude = ["file"]
    raw_id_fields = ["letter", "event", "issuing_unit"]

    @admin.action(description=_("重新生成所选告知书（尚无文件的）"))
    def render_again(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        count = notices_render_again(notice_ids=list(queryset.values_list("pk", flat=True)))
        message = ngettext("已安排重新生成 %(count)d 份告知书。", "已安排重新生成 %(count)d 份告知书。", count)
        self.message_user(request, message % {"count": count})
