"""Forms of the publication pages: they only check what was typed; ``publication.services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.console.forms_work import date_field
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox
from xinfang.publication.selectors import CandidateFilters
from xinfang.vocabulary import LetterType

ANY = ("", _("全部"))


class CandidateFilterForm(forms.Form):
    mailbox = forms.ChoiceField(label=_("信箱"), required=False)
    letter_type = forms.ChoiceField(label=_("类型"), required=False, choices=[ANY, *LetterType.choices])
    police_type = forms.ChoiceField(label=_("警种"), required=False, choices=[ANY, *PoliceType.choices])
    replied_from = date_field(_("答复日期自"), required=False)
    replied_to = date_field(_("答复日期至"), required=False)

    def __init__(self, *args: Any, mailboxes: list[Mailbox], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mailboxes = {box.slug: box for box in mailboxes}
        self.fields["mailbox"].choices = [ANY, *((box.slug, box.display_name) for box in mailboxes)]  # type: ignore[attr-defined]

    def filters(self) -> CandidateFilters:
        if not self.is_valid():
            return CandidateFilters()
        data = self.cleaned_data
        return CandidateFilters(
            mailbox=self.mailboxes.get(data["mailbox"]),
            letter_type=data["letter_type"],
            police_type=data["police_type"],
            replied_from=data["replied_from"],
            replied_to=data["replied_to"],
        )


class EditForm(forms.Form):
    title = forms.CharField(label=_("公开标题"), max_length=200)
    text = forms.CharField(label=_("公开的来信内容"), widget=forms.Textarea(attrs={"rows": 10}))
    reply = forms.CharField(label=_("公开的答复内容"), widget=forms.Textarea(attrs={"rows": 8}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
