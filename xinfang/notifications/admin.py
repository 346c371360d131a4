"""Administrators see the notifications and deliveries of the letters their unit may see (failures
first), edit the wording, and follow the worker's tasks (the schedule's page is ``worker.admin``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template import TemplateSyntaxError
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from xinfang.accounts.models import User
from xinfang.letters.admin import LetterScope
from xinfang.notifications.defaults import DEFAULTS, VARIABLES
from xinfang.notifications.models import Delivery, Notification, NotificationTemplate
from xinfang.notifications.rendering import compile_text
from xinfang.notifications.services import delivery_retry


class DeliveryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Only staff are notified of something that names no letter (an explanation request, for the
# accused bureau); a writer's notification always names their letter.
STAFF_RECIPIENT = Q(recipient__kind=User.Kind.STAFF)


@admin.register(Notification)
class NotificationAdmin(LetterScope, admin.ModelAdmin):  # type: ignore[type-arg]
    letter_path = "letter"
    rows_without_letter = STAFF_RECIPIENT
    list_display = ("title", "kind", "recipient", "letter", "language", "created_at", "read_at")
    list_filter = ("kind", "language")
    search_fields = ("letter__tracking_number", "recipient__username")
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "letter")
    inlines = [DeliveryInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.action(description=_("重新发送所选的失败记录"))
def retry_failed(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Delivery],
) -> None:
    assert isinstance(request.user, User)
    count = sum(delivery_retry(delivery=d, actor=request.user) for d in queryset.filter(status=Delivery.Status.FAILED))
    modeladmin.message_user(
        request, ngettext("已重新排队 %(n)d 条。", "已重新排队 %(n)d 条。", count) % {"n": count}, messages.SUCCESS
    )


@admin.register(Delivery)
class DeliveryAdmin(LetterScope, admin.ModelAdmin):  # type: ignore[type-arg]
    letter_path = "notification__letter"
    rows_without_letter = Q(notification__recipient__kind=User.Kind.STAFF)
    list_display = ("id", "channel", "status", "attempts", "next_attempt_at", "sent_at", "notification", "last_error")
    list_filter = ("status", "channel")
    search_fields = ("notification__letter__tracking_number", "idempotency_key")
    list_select_related = ("notification",)
    actions = [retry_failed]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class NotificationTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = NotificationTemplate
        fields = ("kind", "language", "title", "body", "sms")
        help_texts = {
            # Lazy to the end: interpolated here, the help would be in the language active at start-up.
            "body": format_lazy("{}{}", _("可用变量："), "、".join(f"{{{{ {name} }}}}" for name in VARIABLES)),
            "sms": _("只有发送短信的类别使用；留空则用默认文字。短信中不得包含信访人身份或信件内容。"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("title", "body", "sms"):
            try:
                compile_text(data.get(name) or "")
            except TemplateSyntaxError as exc:
                self.add_error(name, str(exc))
        return data


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = NotificationTemplateForm
    list_display = ("kind", "language", "title", "updated_at", "updated_by")
    list_filter = ("language", "kind")
    readonly_fields = ("default_wording",)

    @admin.display(description=_("默认文字"))
    def default_wording(self, obj: NotificationTemplate) -> str:
        if not obj.kind:
            return "—"
        wording = DEFAULTS[obj.kind]
        with translation.override(obj.language or None):
            parts = [str(wording.title), str(wording.body), str(wording.sms or "")]
        return "\n\n".join(p for p in parts if p)

    def save_model(self, request: HttpRequest, obj: NotificationTemplate, form: Any, change: bool) -> None:
        obj.updated_by = request.user if isinstance(request.user, User) else None
        super().save_model(request, obj, form, change)


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's page without the traceback: a failed delivery's exception can quote what it
    was sending or to whom (an address the gateway refused). The worker's log keeps it."""

    list_display = (
        "task_id",
        "task_label",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        shown = [name for name in super().get_readonly_fields(request, obj) if name != "formatted_traceback"]
        return ["task_id" if name == "id" else name for name in shown]

    # django-tasks-db labels these in English only (its model fields are translated in xinfang/locale).
    @admin.display(description=_("任务编号"), ordering="id")
    def task_id(self, result: DBTaskResult[Any, Any]) -> str:
        return str(result.id)

    @admin.display(description=_("任务"))
    def task_label(self, result: DBTaskResult[Any, Any]) -> str:
        return result.task_name

    @admin.display(description=_("计划执行时间"))
    def display_run_after(self, result: DBTaskResult[Any, Any]) -> Any:
        return super().display_run_after(result)
