"""Partner tokens in the admin: made for one mailbox or unit with their scopes, expiry and rate
limit; the key is shown once, in the message after saving, and only its digest is stored; the
"revoke" action stops a token at once. Creation and revocation go through ``tokens`` (audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts.models import User
from xinfang.api.models import PartnerToken, Scope
from xinfang.api.tokens import token_issue, token_revoke


class PartnerTokenForm(forms.ModelForm[PartnerToken]):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("权限范围"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = PartnerToken
        fields = ("name", "mailbox", "unit", "scopes", "expires_at", "rate_per_minute")


@admin.register(PartnerToken)
class PartnerTokenAdmin(admin.ModelAdmin[PartnerToken]):
    form = PartnerTokenForm
    list_display = ("name", "prefix", "mailbox", "unit", "expires_at", "revoked_at", "rate_per_minute")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "created_by", "revoked_at")
    raw_id_fields = ("unit",)
    actions = ("revoke",)

    def get_readonly_fields(self, request: HttpRequest, obj: PartnerToken | None = None) -> tuple[str, ...]:
        """Whom a token speaks for is fixed when it is made (make a new token for another)."""
        fixed = ("mailbox", "unit") if obj is not None else ()
        return (*self.readonly_fields, *fixed)

    def save_model(self, request: HttpRequest, obj: PartnerToken, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["name", "scopes", "expires_at", "rate_per_minute"])
            return
        actor = request.user if isinstance(request.user, User) else None
        token, raw_key = token_issue(
            actor=actor, name=obj.name, scopes=obj.scopes, expires_at=obj.expires_at, mailbox=obj.mailbox,
            unit=obj.unit, rate_per_minute=obj.rate_per_minute,
        )  # fmt: skip
        for name in ("pk", "prefix", "secret_hash", "created_at", "created_by"):  # the change page's redirect reads obj
            setattr(obj, name, getattr(token, name))
        obj._state.adding = False
        message = _("令牌已创建。密钥只显示这一次，请立即复制，通过安全渠道交给合作方：%(key)s") % {"key": raw_key}
        self.message_user(request, message, messages.WARNING)

    @admin.action(description=gettext_lazy("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerToken]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for token in queryset:
            token_revoke(token=token, actor=actor)
        self.message_user(request, _("已吊销 %(count)s 个令牌。") % {"count": queryset.count()}, messages.SUCCESS)
