"""Back office of the unit tree and the mailboxes.

Units are never deleted and never edited field by field: a rename, a merge, a retirement or a new
bureau goes through a small form whose view calls ``xinfang.orgs.services``, so that every change
writes its ``UnitChange`` row and the open letters follow a merged unit. The tree fields (path,
depth, numchild) are shown read-only; the admin does not offer treebeard's drag-and-drop either,
since a moved subtree would bypass those services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import qrcode
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from qrcode.image.svg import SvgPathImage

from xinfang.accounts.models import User
from xinfang.orgs.choices import UnitKind, UnitLevel
from xinfang.orgs.forms import (
    MailboxForm,
    StationCreateForm,
    StationImportForm,
    UnitCreateForm,
    UnitMergeForm,
    UnitRenameForm,
    UnitRetireForm,
)
from xinfang.orgs.models import Mailbox, Unit, UnitChange
from xinfang.orgs.services import (
    StationImportError,
    UnitChangeError,
    station_create,
    stations_import,
    unit_create,
    unit_merge,
    unit_rename,
    unit_retire,
)
from xinfang.vocabulary import Channel, LetterType

# The page of one change form, inside the admin's own layout. It is the only template of this
# module and is kept next to the views that use it.
CHANGE_PAGE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}{% load i18n %}
{% block extrahead %}{{ block.super }}{{ media }}{% endblock %}
{% block breadcrumbs %}<div class="breadcrumbs"><a href="{% url 'admin:index' %}">{% translate 'Home' %}</a>
&rsaquo; <a href="{% url 'admin:orgs_unit_changelist' %}">{{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; <a href="{% url 'admin:orgs_unit_change' unit.pk %}">{{ unit.name }}</a> &rsaquo; {{ title }}</div>
{% endblock %}
{% block content %}<div id="content-main"><p>{{ unit.name }} · {{ unit.code }}</p>
<form method="post" enctype="multipart/form-data" novalidate>{% csrf_token %}{{ form.non_field_errors }}
{% if line_errors %}<ul class="errorlist">{% for line in line_errors %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
<fieldset class="module aligned">{% for field in form %}<div class="form-row">{{ field.errors }}{{ field.label_tag }}
{{ field }}{% if field.help_text %}<div class="help">{{ field.help_text }}</div>{% endif %}</div>{% endfor %}
</fieldset><div class="submit-row"><input type="submit" class="default" value="{{ submit_label }}"></div>
</form></div>{% endblock %}"""
)

# Which units an autocomplete may offer, by the model field that asks (Django sends its app,
# model and field name): a merge target is an active bureau, a user or a mailbox an active unit.
AUTOCOMPLETE_SCOPES: dict[tuple[str, str, str], Callable[[QuerySet[Unit]], QuerySet[Unit]]] = {
    ("orgs", "unit", "merged_into"): lambda qs: qs.filter(kind=UnitKind.BUREAU, is_active=True),
    ("accounts", "user", "unit"): lambda qs: qs.filter(is_active=True),
    ("orgs", "mailbox", "owner"): lambda qs: qs.filter(is_active=True),
}


class UnitChangeColumns:
    """Translated columns of a ``UnitChange`` row, shared by the inline and the history list."""

    @admin.display(description=gettext_lazy("变更类别"))
    def change_kind(self, change: UnitChange) -> str:
        return change.get_kind_display()

    @admin.display(description=gettext_lazy("原名称"))
    def change_old_name(self, change: UnitChange) -> str:
        return change.old_name

    @admin.display(description=gettext_lazy("新名称"))
    def change_new_name(self, change: UnitChange) -> str:
        return change.new_name

    @admin.display(description=gettext_lazy("并入单位"))
    def change_target(self, change: UnitChange) -> str:
        return str(change.target) if change.target_id else ""

    @admin.display(description=gettext_lazy("理由"))
    def change_reason(self, change: UnitChange) -> str:
        return change.reason

    @admin.display(description=gettext_lazy("操作人"))
    def change_actor(self, change: UnitChange) -> str:
        return str(change.actor) if change.actor_id else ""

    @admin.display(description=gettext_lazy("时间"), ordering="created_at")
    def change_time(self, change: UnitChange) -> Any:
        return change.created_at


CHANGE_COLUMNS = (
    "change_time",
    "change_kind",
    "change_old_name",
    "change_new_name",
    "change_target",
    "change_reason",
    "change_actor",
)


class UnitChangeInline(UnitChangeColumns, admin.TabularInline[UnitChange, Unit]):
    model = UnitChange
    fk_name = "unit"
    fields = CHANGE_COLUMNS
    readonly_fields = CHANGE_COLUMNS
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("变更记录")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["name", "code", "level", "kind", "division_code", "is_active", "tree_actions"]
    list_filter = ["level", "kind", "is_active", "police_type"]
    search_fields = ["name", "name_en", "code", "division_code"]
    ordering = ["path"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [UnitChangeInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "level", "kind", "police_type", "parent_unit", "tree_actions"]}),
        (
            gettext_lazy("行政区划"),
            {"fields": ["division_code", "division_name", "division_name_en", "division_type"]},
        ),
        (
            gettext_lazy("状态"),
            {"fields": ["is_active", "retired_at", "merged_into", "bureau_of_department"]},
        ),
        (gettext_lazy("树结构"), {"fields": ["path", "depth", "numchild"], "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "code",
        "name",
        "name_en",
        "level",
        "kind",
        "police_type",
        "parent_unit",
        "tree_actions",
        "division_code",
        "division_name",
        "division_name_en",
        "division_type",
        "is_active",
        "retired_at",
        "merged_into",
        "bureau_of_department",
        "path",
        "depth",
        "numchild",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new bureaus are added under their parent, through ``unit_create``

    def has_delete_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        return False  # units are never deleted: old letters and timelines still name them

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Every field is read-only; changes go through the action forms linked on the page.
        hide_saving = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **hide_saving})

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Unit], search_term: str
    ) -> tuple[QuerySet[Unit], bool]:
        get = request.GET.get
        scope = AUTOCOMPLETE_SCOPES.get((get("app_label", ""), get("model_name", ""), get("field_name", "")))
        if scope is not None and request.path == reverse("admin:autocomplete"):
            queryset = scope(queryset)
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=gettext_lazy("上级单位"))
    def parent_unit(self, unit: Unit) -> str:
        parent = Unit.objects.get_parent(unit)
        return str(parent) if parent is not None else ""

    @admin.display(description=gettext_lazy("操作"))
    def tree_actions(self, unit: Unit) -> str:
        links = [("rename", _("更名…"))]
        if unit.is_active and not unit.is_department:
            links += [("merge", _("合并到…")), ("retire", _("撤销…"))]
        if unit.is_active and unit.kind == UnitKind.BUREAU:
            if unit.level == UnitLevel.COUNTY:
                links.append(("add-station", _("新设派出所…")))
            else:
                links.append(("add-child", _("新设下级单位…")))
            links.append(("import-stations", _("导入派出所（CSV）…")))
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reverse(f"admin:orgs_unit_{name}", args=[unit.pk]), label) for name, label in links),
        )

    def get_urls(self) -> list[URLPattern]:
        views = [
            ("rename", self.rename_view),
            ("merge", self.merge_view),
            ("retire", self.retire_view),
            ("add-child", self.add_child_view),
            ("add-station", self.add_station_view),
            ("import-stations", self.import_stations_view),
        ]
        custom = [
            path(f"<path:object_id>/{name}/", self.admin_site.admin_view(view), name=f"orgs_unit_{name}")
            for name, view in views
        ]
        return custom + super().get_urls()

    def _unit_for_change(self, request: HttpRequest, object_id: str) -> Unit:
        unit = get_object_or_404(Unit, pk=object_id)
        if not self.has_change_permission(request, unit):
            raise PermissionDenied
        return unit

    def _page(
        self,
        request: HttpRequest,
        unit: Unit,
        form: forms.Form,
        *,
        title: str,
        submit_label: str,
        line_errors: list[tuple[int, str]] | None = None,
    ) -> HttpResponse:
        context = {
            "line_errors": [_("第 %(line)d 行：%(message)s") % {"line": n, "message": m} for n, m in line_errors or []],
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "unit": unit,
            "form": form,
            "media": self.media + form.media,
            "title": title,
            "submit_label": submit_label,
        }
        return TemplateResponse(request, CHANGE_PAGE, context)

    def _done(self, request: HttpRequest, unit: Unit, message: str) -> HttpResponseRedirect:
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:orgs_unit_change", args=[unit.pk]))

    def rename_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        unit = self._unit_for_change(request, object_id)
        form = UnitRenameForm(request.POST or None, initial={"name": unit.name, "name_en": unit.name_en})
        if request.method == "POST" and form.is_valid():
            try:
                unit_rename(unit=unit, actor=_actor(request), **form.cleaned_data)
            except UnitChangeError as error:
                form.add_error("name", str(error))
            else:
                return self._done(request, unit, _("已更名为 %(name)s。") % {"name": unit.name})
        return self._page(request, unit, form, title=_("单位更名"), submit_label=_("确认更名"))

    def merge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        unit = self._unit_for_change(request, object_id)
        form = UnitMergeForm(request.POST or None)
        target_field = form.fields["target"]
        # 8,000 units: the target is searched for, never listed in one <select>.
        target_field.widget = AutocompleteSelect(Unit._meta.get_field("merged_into"), self.admin_site)
        target_field.widget.choices = target_field.choices  # type: ignore[attr-defined]
        target_field.widget.is_required = True
        if request.method == "POST" and form.is_valid():
            target = form.cleaned_data["target"]
            try:
                unit_merge(source=unit, target=target, actor=_actor(request), reason=form.cleaned_data["reason"])
            except UnitChangeError as error:
                form.add_error("target", str(error))
            else:
                return self._done(request, unit, _("已并入 %(target)s。") % {"target": target.name})
        return self._page(request, unit, form, title=_("单位合并"), submit_label=_("确认合并"))

    def retire_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        unit = self._unit_for_change(request, object_id)
        form = UnitRetireForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                unit_retire(unit=unit, actor=_actor(request), reason=form.cleaned_data["reason"])
            except UnitChangeError as error:
                form.add_error(None, str(error))
            else:
                return self._done(request, unit, _("已撤销 %(name)s。") % {"name": unit.name})
        return self._page(request, unit, form, title=_("撤销单位"), submit_label=_("确认撤销"))

    def add_child_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        parent = self._unit_for_change(request, object_id)
        form = UnitCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                child = unit_create(parent=parent, actor=_actor(request), **form.cleaned_data)
            except UnitChangeError as error:
                form.add_error("code", str(error))
            else:
                return self._done(request, child, _("已新设 %(name)s。") % {"name": child.name})
        return self._page(request, parent, form, title=_("新设下级单位"), submit_label=_("确认新设"))

    def add_station_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        bureau = self._unit_for_change(request, object_id)
        form = StationCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                station = station_create(bureau=bureau, actor=_actor(request), **form.cleaned_data)
            except UnitChangeError as error:
                form.add_error("name", str(error))
            else:
                return self._done(request, station, _("已新设 %(name)s。") % {"name": station.name})
        return self._page(request, bureau, form, title=_("新设派出所"), submit_label=_("确认新设"))

    def import_stations_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Stations for the county-level bureaus under this unit, from a CSV file: all rows or none."""
        within = self._unit_for_change(request, object_id)
        form = StationImportForm(request.POST or None, request.FILES or None)
        line_errors: list[tuple[int, str]] = []
        if request.method == "POST" and form.is_valid():
            try:
                stations = stations_import(text=form.cleaned_data["file"], actor=_actor(request), within=within)
            except StationImportError as error:
                form.add_error(None, str(error))
                line_errors = error.errors
            except UnitChangeError as error:
                form.add_error(None, str(error))
            else:
                return self._done(request, within, _("已导入 %(count)d 个派出所。") % {"count": len(stations)})
        title = _("导入派出所（CSV）")
        return self._page(request, within, form, title=title, submit_label=_("导入"), line_errors=line_errors)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # admin views are only reached by a logged-in staff user
    return request.user


@admin.register(UnitChange)
class UnitChangeAdmin(UnitChangeColumns, admin.ModelAdmin[UnitChange]):
    """The history of the tree across all units, read-only."""

    list_display = ["change_time", "unit", *CHANGE_COLUMNS[1:]]
    list_filter = ["kind"]
    search_fields = ["unit__name", "unit__code", "old_name", "new_name"]
    list_select_related = ["unit", "target", "actor"]
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: UnitChange | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: UnitChange | None = None) -> bool:
        return False


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    form = MailboxForm
    list_display = ["name", "slug", "owner", "tracking_prefix", "is_national", "is_active", "letter_type_list"]
    list_filter = ["is_active", "is_national", "allows_anonymous_phone"]
    search_fields = ["name", "name_en", "slug", "tracking_prefix", "owner__name", "owner__code"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    ordering = ["-is_national", "owner__path"]
    readonly_fields = ["entry_links"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "slug", "owner", "tracking_prefix", "is_national", "is_active"]}),
        (gettext_lazy("受理"), {"fields": ["letter_types", "channels", "allows_anonymous_phone"]}),
        (
            gettext_lazy("信箱主页"),
            {
                "fields": [
                    "intro",
                    "intro_en",
                    "greeting",
                    "greeting_en",
                    "office_phone",
                    "office_hours",
                    "office_hours_en",
                ]
            },
        ),
        (gettext_lazy("嵌入与入口"), {"fields": ["embed_origins", "embed_style", "entry_links"]}),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Mailbox | None = None) -> bool:
        return False  # letters keep their mailbox; a mailbox is closed by clearing "is_active"

    @admin.display(description=gettext_lazy("入口链接和二维码"))
    def entry_links(self, mailbox: Mailbox) -> str:
        """The links for the WeChat and Weibo menus (each letter records the entry it came through),
        their QR codes, and the one tag a bureau's website adds to show the mailbox."""
        if not mailbox.pk:
            return _("保存后显示。")
        site = settings.XINFANG_SITE_URL.rstrip("/")
        mailbox_url = site + reverse("portal:mailbox", args=[mailbox.slug])
        menus = [(Channel.WECHAT, _("微信公众号菜单")), (Channel.WEIBO, _("微博菜单"))]
        rows = format_html_join(
            "",
            '<div class="entry-link" data-channel="{}"><p><strong>{}</strong>{}<br><code>{}</code></p>{}</div>',
            (
                (
                    channel,
                    label,
                    "" if channel in mailbox.channels else _("（本信箱未开通此渠道，来信记为网站来信）"),
                    f"{mailbox_url}?ch={channel}",
                    _entry_qr(f"{mailbox_url}?ch={channel}", label=f"{label} {mailbox.name}"),
                )
                for channel, label in menus
            ),
        )
        # Shown as text to copy (escaped by format_html below), never as a tag of this page.
        script = f'<script src="{site}{reverse("portal:embed_script", args=[mailbox.slug])}" async></script>'
        return format_html(
            "{}<p><strong>{}</strong><br><code>{}</code></p><p><strong>{}</strong><br><code>{}</code></p>",
            rows,
            _("单位网站嵌入代码（飘窗或弹窗，仅限上面“允许嵌入的网站”）"),
            script,
            _("公开统计页"),
            site + reverse("portal:public_statistics", args=[mailbox.slug]),
        )

    @admin.display(description=gettext_lazy("受理类型"))
    def letter_type_list(self, mailbox: Mailbox) -> str:
        separator = pgettext("list separator", "、")
        return separator.join(
            str(LetterType(value).label) for value in mailbox.letter_types if value in LetterType.values
        )


def _entry_qr(data: str, *, label: str) -> SafeString:
    """``data`` as an inline SVG QR code (no image file, nothing for the CSP to block)."""
    image = qrcode.make(data, image_factory=SvgPathImage, border=2, box_size=6)
    root = image.get_image()
    root.set("role", "img")
    root.set("aria-label", label)  # ElementTree escapes attribute values
    root.set("width", "160")
    root.set("height", "160")
    svg: str = image.to_string(encoding="unicode")
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703 (our own SVG; the label was escaped)
