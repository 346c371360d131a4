"""Forms of the administrative changes to the unit tree and of the mailbox settings.

The forms only validate input; the admin views hand the cleaned data to ``xinfang.orgs.services``
and put a refused change (``UnitChangeError``) back on the field it concerns.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.choices import UnitKind
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel, LetterType

division_code_validator = RegexValidator(
    r"^(\d{6}|\d{9})$", _("行政区划代码是6位数字（GB/T 2260），乡镇、街道是9位统计用区划代码。")
)


class UnitRenameForm(forms.Form):
    name = forms.CharField(label=_("新名称"), max_length=120)
    name_en = forms.CharField(label=_("新英文名称"), max_length=200, required=False)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class UnitMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("并入单位"),
        queryset=Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True),
        help_text=_("在用的公安机关；该单位的警种部门并入目标单位的同名警种部门，未办结的信件随之移交。"),
    )
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class UnitRetireForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class UnitCreateForm(forms.Form):
    code = forms.CharField(
        label=_("代码"), max_length=40, help_text=_("公安机关的代码，一般就是其辖区的行政区划代码。")
    )
    name = forms.CharField(label=_("名称"), max_length=120)
    name_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    division_code = forms.CharField(
        label=_("行政区划代码"), max_length=9, required=False, validators=[division_code_validator]
    )


class StationCreateForm(forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=120, help_text=_("如“石牌派出所”；前面自动加上所属公安机关的名称。")
    )
    name_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    code = forms.CharField(label=_("代码"), max_length=40, required=False, help_text=_("字母和数字；不填则自动编号。"))


class StationImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV 文件"),
        help_text=_(
            "UTF-8 编码，第一行为表头 bureau,name,name_en,code：bureau 填县级公安机关的代码或全称，"
            "name 填派出所名称，name_en 和 code 可空。任何一行有错则全部不导入。"
        ),
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件太大（最多 2 MB）。"))
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("文件不是 UTF-8 编码。")) from error


class MailboxForm(forms.ModelForm[Mailbox]):
    """The mailbox settings, with the letter types and channels as check boxes."""

    letter_types = forms.MultipleChoiceField(
        label=_("受理类型"), choices=LetterType.choices, widget=forms.CheckboxSelectMultiple
    )
    channels = forms.MultipleChoiceField(
        label=_("开通渠道"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "name_en",
            "slug",
            "owner",
            "tracking_prefix",
            "letter_types",
            "channels",
            "allows_anonymous_phone",
            "is_national",
            "is_active",
            "intro",
            "intro_en",
            "greeting",
            "greeting_en",
            "office_phone",
            "office_hours",
            "office_hours_en",
            "embed_origins",
            "embed_style",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Keep the stored lists in the order of the enumerations, whatever order the browser sent.
        for field, choices in (("letter_types", LetterType), ("channels", Channel)):
            if field in cleaned:
                cleaned[field] = [value for value in choices.values if value in cleaned[field]]
        return cleaned
