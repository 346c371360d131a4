"""Back office of the accounts: Django's user admin with the unit, the kind of account and the roles."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    model = RoleGrant
    fk_name = "user"
    fields = ["role", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
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
        """Record who granted each new role (the administrator saving the page)."""
        for grant in formset.save(commit=False):
            if isinstance(grant, RoleGrant) and grant.pk is None and isinstance(request.user, User):
                grant.granted_by = request.user
            grant.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()
