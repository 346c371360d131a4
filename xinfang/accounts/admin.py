"""Back office of the accounts: Django's user admin with the unit, the kind of account and the roles."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import ManyToManyField
from django.forms import BaseInlineFormSet, ModelForm, ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import RoleGrant, User
from xinfang.accounts.services import staff_set_roles

# Django stores a permission's name once, in English, when it creates it ("Can add 信件"); the
# pickers name the four default ones in the reader's language, from the model's translated name.
DEFAULT_PERMISSIONS = {
    "add": _("可以添加%(name)s"),
    "change": _("可以修改%(name)s"),
    "delete": _("可以删除%(name)s"),
    "view": _("可以查看%(name)s"),
}


def permission_label(permission: Permission) -> str:
    """What the group and user pickers show: app | model | what the permission allows."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if (
        model is not None
        and action in DEFAULT_PERMISSIONS
        and permission.codename == get_permission_codename(action, model._meta)
    ):
        allows = DEFAULT_PERMISSIONS[action] % {"name": model._meta.verbose_name}
    else:
        allows = gettext(permission.name)  # declared in a model's Meta, by its message id
    return f"{permission.content_type} | {allows}"


class PermissionChoiceField(ModelMultipleChoiceField[Permission]):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class PermissionLabels:
    """Labels the permission pickers of an admin with ``permission_label``."""

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        if db_field.related_model is Permission:
            kwargs.setdefault("queryset", Permission.objects.select_related("content_type"))
            kwargs.setdefault("form_class", PermissionChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabels, DjangoGroupAdmin):
    pass


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    model = RoleGrant
    fk_name = "user"
    fields = ["role", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]
    extra = 0


@admin.register(User)
class UserAdmin(PermissionLabels, DjangoUserAdmin[User]):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("单位与语言"), {"fields": ("kind", "unit", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("单位与语言"), {"fields": ("kind", "unit", "language")}),
    )
    list_display = ("username", "first_name", "kind", "unit", "is_staff", "is_active")
    list_filter = ("kind", "is_staff", "is_superuser", "is_active", "language")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    inlines = (RoleGrantInline,)

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: BaseInlineFormSet[Any, Any, Any], change: bool
    ) -> None:
        """Roles change through ``staff_set_roles``, as everywhere else: each grant records who made
        it (the administrator saving the page) and is audited as a permission change."""
        if formset.model is not RoleGrant:
            super().save_formset(request, form, formset, change)
            return
        kept = {
            row.cleaned_data["role"]
            for row in formset.forms
            if row.cleaned_data.get("role") and not row.cleaned_data.get("DELETE")
        }
        actor = request.user if isinstance(request.user, User) else None
        before = {grant.role: grant for grant in form.instance.role_grants.all()}
        staff_set_roles(user=form.instance, roles=kept, actor=actor)
        # What the admin's history message lists (``formset.save`` would have set these).
        formset.new_objects = [g for g in form.instance.role_grants.all() if g.role not in before]
        formset.changed_objects = []
        formset.deleted_objects = [grant for role, grant in before.items() if role not in kept]
