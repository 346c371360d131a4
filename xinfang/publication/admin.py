"""The publication admin goes through the same services as the console (``publication.services``).

An administrator sees the publications of the letters their unit may see (``letters.access``). The
admin may start a draft (the redaction proposal) and edit the texts of a draft, and only as the
services allow: the writer's consent, the letter's state and the mailbox's policy are checked there.
The state and the publication time are read-only here: only a leader's approval publishes. Each
mailbox's publication policy is edited here too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest

from xinfang.accounts.models import User
from xinfang.letters.access import letters_visible_to
from xinfang.letters.admin import LetterScope
from xinfang.letters.models import Letter
from xinfang.publication import rules, services
from xinfang.publication.models import Publication, PublicationPolicy


class PublicationAdminForm(ModelForm[Publication]):
    """Asks the services' rules before anything is saved, so a refusal shows next to the form."""

    actor: User

    class Meta:
        model = Publication
        fields = ("letter", "title", "published_text", "published_reply")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        letter: Letter | None = data.get("letter") or (self.instance.letter if self.instance.pk else None)
        if letter is not None:
            reason = rules.publisher_refusal(self.actor, letter) or rules.letter_refusal(letter)
            if not reason and self.instance.pk:
                texts = (data.get("title", ""), data.get("published_text", ""), data.get("published_reply", ""))
                reason = rules.texts_refusal(letter, *texts)
            if reason:
                raise forms.ValidationError(reason)
        return data


@admin.register(Publication)
class PublicationAdmin(LetterScope, admin.ModelAdmin[Publication]):
    letter_path = "letter"
    form = PublicationAdminForm
    list_display = ("title", "letter", "state", "published_at", "published_by")
    list_filter = ("state", "letter__mailbox")
    search_fields = ("title", "letter__tracking_number")
    autocomplete_fields = ("letter",)
    readonly_fields = ("state", "published_at", "published_by", "sent_back_reason", "unpublish_reason")
    date_hierarchy = "published_at"

    def get_fields(self, request: HttpRequest, obj: Publication | None = None) -> tuple[str, ...]:
        if obj is None:  # a new draft takes the proposed redaction; the texts are edited afterwards
            return ("letter",)
        return ("title", "published_text", "published_reply", *self.readonly_fields)

    def get_form(
        self, request: HttpRequest, obj: Publication | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "letter":
            kwargs["queryset"] = letters_visible_to(request.user)  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Publication, form: ModelForm[Any], change: bool) -> None:
        """Through the services: a new draft is proposed, an existing one edited (refused as they refuse)."""
        assert isinstance(request.user, User)
        if not change:
            proposed = services.publication_propose(letter=obj.letter, actor=request.user)
            obj.pk, obj.public_id = proposed.pk, proposed.public_id
            return
        saved = Publication.objects.select_related("letter").get(pk=obj.pk)
        services.publication_edit(
            publication=saved, actor=request.user, title=obj.title, text=obj.published_text, reply=obj.published_reply
        )

    def has_delete_permission(self, request: HttpRequest, obj: Publication | None = None) -> bool:
        return False  # taken down with a reason (unpublish), never deleted


@admin.register(PublicationPolicy)
class PublicationPolicyAdmin(admin.ModelAdmin[PublicationPolicy]):
    list_display = ("mailbox", "allow_accusing", "show_officer_names")
    autocomplete_fields = ("mailbox",)
