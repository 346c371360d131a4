"""Forms of the explanation pages: they check what was typed; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.console.forms_work import TEXT_MAX_LENGTH, date_field


class ExplanationRequestForm(forms.Form):
    extract = forms.CharField(
        label=_("发给被反映单位的情况摘录"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "已自动隐去信访人姓名、联系方式、证件号码、车牌、信件编号等。被反映单位只能看到这段摘录和下面的问题，"
            "看不到信件本身。请删去其余可能让其推断出信访人的细节。"
        ),
    )
    questions = forms.CharField(
        label=_("需要说明的问题"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    due_on = date_field(_("说明期限"))


class ExplanationResponseForm(forms.Form):
    response = forms.CharField(
        label=_("情况说明"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 10})
    )
