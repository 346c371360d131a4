"""Back office of the accounts: Django's user admin with the unit, the kind of account and the roles."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import RoleGrant, User
from xinfang.accounts.services import staff_set_roles


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
