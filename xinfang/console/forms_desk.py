"""Forms of the telephone seats and the front desk.

Type-ahead fields (place, unit, police type) are plain text inputs with a ``<datalist>`` that
``desk.js`` fills as the agent types; the server reads the code at the start of the chosen
option (``440106 天河区``), so a keyboard user who knows the code can just type it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.id_numbers import validate_mobile, validate_resident_id
from xinfang.accounts.models import IdentityReveal, User
from xinfang.analysis.emergency import emergency_words
from xinfang.console.selectors_desk import normalise_phone
from xinfang.console.services import BulkAction
from xinfang.letters.models import AssignmentMode, RefusalReason
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.routing.selectors import place_of
from xinfang.vocabulary import ACCUSATION_TYPES, LetterType

TEXT_MAX = 10000


def leading_code(value: str) -> str:
    """``"440106 天河区"`` → ``"440106"``: the code an option of a type-ahead starts with."""
    return value.strip().split(" ", 1)[0] if value.strip() else ""


def typeahead(datalist: str, url: str = "") -> dict[str, str]:
    """Attributes of a type-ahead input: its datalist and, if it is fetched as one types, from where."""
    attrs = {"list": datalist, "autocomplete": "off"}
    if url:
        attrs["data-lookup"] = url
    return attrs


def police_type_code(value: str) -> str:
    """A police type typed as its code or its label in either language."""
    value = value.strip()
    if not value or value in PoliceType.values:
        return value
    for code in PoliceType.values:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if str(PoliceType(code).label).lower() == value.lower():
                    return str(code)
    raise ValidationError(gettext("请从列表中选择警种。"), code="police_type")


class CallerKind(models.TextChoices):
    EXISTING = "existing", _("已注册的实名来电人")
    NEW = "new", _("新的实名来电人（为其建立账户）")
    ANONYMOUS = "anonymous", _("匿名来电")


OFFICER_FIELDS = ("accused_officer_name", "accused_badge_number", "accused_officer_post")


class CallerLookupForm(forms.Form):
    """The caller's number, posted (never in a URL); kept as the telephony system or the agent typed it."""

    number = forms.CharField(
        label=_("来电号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "id": "caller-number"}),
    )

    def clean_number(self) -> str:
        number = normalise_phone(self.cleaned_data["number"])
        if not 5 <= len(number) <= 20:
            raise ValidationError(gettext("请输入来电号码（5 至 20 位数字）。"), code="number")
        return number


class CallForm(forms.Form):
    """A telephone call registered as a letter."""

    number = forms.CharField(widget=forms.HiddenInput, required=False)
    mailbox = forms.ModelChoiceField(label=_("信箱"), queryset=Mailbox.objects.none(), empty_label=None)
    caller = forms.ChoiceField(label=_("来电人"), choices=CallerKind.choices, widget=forms.RadioSelect)
    real_name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=24, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    identity_checked = forms.BooleanField(label=_("已与来电人逐项核对姓名、身份证号码和手机号码"), required=False)
    letter_type = forms.ChoiceField(label=_("类型"), choices=LetterType.choices)
    police_type = forms.CharField(label=_("警种"), max_length=60, required=False)
    place = forms.CharField(label=_("事发地"), max_length=120, required=False)
    address = forms.CharField(label=_("详细地址"), max_length=300, required=False)
    accused_unit = forms.CharField(label=_("被反映单位"), max_length=240, required=False)
    accused_officer_name = forms.CharField(label=_("被反映民警姓名"), max_length=60, required=False)
    accused_badge_number = forms.CharField(label=_("警号"), max_length=20, required=False)
    accused_officer_post = forms.CharField(label=_("被反映民警职务"), max_length=60, required=False)
    accuses_leadership = forms.BooleanField(label=_("反映的是该单位领导"), required=False)
    subject = forms.CharField(label=_("标题"), max_length=200)
    text = forms.CharField(label=_("来电内容"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 7}))
    send_sms = forms.BooleanField(label=_("短信发送信件编号和查询码"), required=False, initial=True)
    emergency_confirmed = forms.BooleanField(
        label=_("已提醒来电人：如情况紧急请立即拨打 110。确认继续登记。"), required=False
    )

    def __init__(self, *args: Any, mailboxes: list[Mailbox], citizen: User | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.citizen = citizen
        self.emergency: list[str] = []
        self.fields["mailbox"].queryset = Mailbox.objects.filter(pk__in=[m.pk for m in mailboxes])  # type: ignore[attr-defined]
        self.fields["police_type"].widget.attrs.update(typeahead("police-types"))
        self.fields["place"].widget.attrs.update(typeahead("place-options", reverse("console:lookup_divisions")))
        self.fields["accused_unit"].widget.attrs.update(typeahead("unit-options", reverse("console:lookup_units")))
        self.fields["subject"].widget.attrs.update(autofocus=True)

    def clean_police_type(self) -> str:
        return police_type_code(self.cleaned_data["police_type"])

    def clean_place(self) -> str:
        code = leading_code(self.cleaned_data["place"])
        if code and place_of(code) is None:
            raise ValidationError(gettext("请从列表中选择事发地，或填写 6 位行政区划代码。"), code="place")
        return code

    def clean_accused_unit(self) -> Unit | None:
        code = leading_code(self.cleaned_data["accused_unit"])
        if not code:
            return None
        unit = Unit.objects.filter(code=code, is_active=True).first()
        if unit is None:
            raise ValidationError(gettext("请从列表中选择被反映单位。"), code="unit")
        return unit

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self._check_mailbox(data)
        self._check_caller(data)
        self._check_accused(data)
        self.emergency = emergency_words(f"{data.get('subject', '')}\n{data.get('text', '')}")
        if self.emergency and not data.get("emergency_confirmed"):
            self.add_error("emergency_confirmed", gettext("内容疑似紧急情况，请先提醒来电人拨打 110，确认后再登记。"))
        return data

    def _check_accused(self, data: dict[str, Any]) -> None:
        """Naming an officer accuses: of the unit given, else of the place's bureau (letters.services)."""
        officer = any(str(data.get(name, "")).strip() for name in OFFICER_FIELDS)
        if data.get("accused_unit") is None and not officer:
            return
        if data.get("letter_type", "") not in ACCUSATION_TYPES:
            self.add_error("accused_unit", gettext("只有投诉和举报可以填写被反映的单位或民警。"))
        elif data.get("accused_unit") is None and not data.get("place") and not self.has_error("place"):
            self.add_error("accused_unit", gettext("填写了被反映民警时，请同时填写被反映单位或事发地。"))

    def _check_mailbox(self, data: dict[str, Any]) -> None:
        mailbox: Mailbox | None = data.get("mailbox")
        if mailbox is not None and data.get("letter_type") and not mailbox.takes(data["letter_type"]):
            self.add_error("letter_type", gettext("该信箱不受理此类信件。"))

    def _check_caller(self, data: dict[str, Any]) -> None:
        caller = data.get("caller")
        if caller == CallerKind.EXISTING and self.citizen is None:
            self.add_error("caller", gettext("该号码没有群众账户，请登记为新的实名来电人或匿名来电。"))
        elif caller == CallerKind.NEW:
            self._check_new_citizen(data)
        elif caller == CallerKind.ANONYMOUS:
            mailbox = data.get("mailbox")
            if mailbox is not None and not mailbox.allows_anonymous_phone:
                self.add_error("caller", gettext("该信箱不受理匿名来电，请登记来电人的实名信息。"))
        if caller in (CallerKind.EXISTING, CallerKind.NEW) and not data.get("identity_checked"):
            self.add_error("identity_checked", gettext("请与来电人核对身份信息后勾选。"))

    def _check_new_citizen(self, data: dict[str, Any]) -> None:
        if not data.get("real_name", "").strip():
            self.add_error("real_name", gettext("请填写来电人姓名。"))
        for field, validate in (("id_number", validate_resident_id), ("phone", validate_mobile)):
            try:
                data[field] = validate(data.get(field, ""))
            except ValidationError as exc:
                self.add_error(field, exc)


class DeskActionForm(forms.Form):
    """Every front-desk action carries the letter's version the acceptor saw (to detect a conflict)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class RefuseForm(DeskActionForm):
    reason = forms.ChoiceField(label=_("不予受理理由"), choices=RefusalReason.choices)
    notice = forms.CharField(
        label=_("书面告知"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("留空则使用所选理由的标准告知书。"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reason") == RefusalReason.OTHER and not data.get("notice", "").strip():
            self.add_error("notice", gettext("选择“其他原因”时须写明理由。"))
        return data


class ReferForm(DeskActionForm):
    organ = forms.CharField(label=_("有权处理的机关"), max_length=200)
    text = forms.CharField(label=_("告知内容"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class EmergencyForm(DeskActionForm):
    note = forms.CharField(label=_("转 110 情况记录"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class RequestInfoForm(DeskActionForm):
    reason = forms.CharField(label=_("需要补充的材料"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class TransferForm(DeskActionForm):
    """One click: to the proposed unit, as 转办 or 交办."""

    mode = forms.ChoiceField(choices=AssignmentMode.choices)


class OtherUnitForm(DeskActionForm):
    """Another unit than the proposal, with the reason the law asks for."""

    unit = forms.CharField(label=_("承办单位"), max_length=240)
    mode = forms.ChoiceField(
        label=_("方式"), choices=AssignmentMode.choices, initial=AssignmentMode.TRANSFER, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("改派理由"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, within: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.within = within
        under = reverse("console:lookup_units") + "?scope=under"
        self.fields["unit"].widget.attrs.update(typeahead("transfer-units", under))

    def clean_unit(self) -> Unit:
        unit = Unit.objects.filter(code=leading_code(self.cleaned_data["unit"]), is_active=True).first()
        if unit is None or not unit.is_within(self.within):
            raise ValidationError(gettext("请从列表中选择本单位或下级单位。"), code="unit")
        return unit


class AccusedForm(DeskActionForm):
    """The front desk's decision on whom a complaint or report accuses: a unit, or no police unit."""

    UNIT = "unit"
    NONE = "none"

    decision = forms.ChoiceField(
        label=_("认定"),
        choices=[(UNIT, _("反映以下公安机关或其民警")), (NONE, _("不涉及公安机关或民警"))],
        widget=forms.RadioSelect,
    )
    unit = forms.CharField(label=_("被反映单位"), max_length=240, required=False)
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("与信访人所填不同，或更改已认定的单位时，须说明理由。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs.update(typeahead("accused-units", reverse("console:lookup_units")))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["accused_unit"] = None
        if data.get("decision") == self.UNIT:
            code = leading_code(data.get("unit", ""))
            unit = Unit.objects.filter(code=code, is_active=True).first() if code else None
            if unit is None:
                self.add_error("unit", gettext("请从列表中选择被反映单位。"))
            data["accused_unit"] = unit
        return data


def unit_option(unit: Unit | None) -> str:
    """How a unit appears in a type-ahead input (its code first, as ``leading_code`` reads it)."""
    return f"{unit.code} {unit.display_name}" if unit is not None else ""


class TickedLettersField(forms.MultipleChoiceField):
    """Ticked rows as "<public id>:<version seen>"; the view resolves them against what the user may see."""

    def valid_value(self, value: str) -> bool:
        return True


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("批量操作"), choices=BulkAction.choices)
    refusal_reason = forms.ChoiceField(
        label=_("不予受理理由"),
        required=False,
        choices=[("", "—"), *[(v, label) for v, label in RefusalReason.choices if v != RefusalReason.OTHER]],
    )
    letters = TickedLettersField(label=_("信件"), error_messages={"required": _("请至少勾选一封信件。")})

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") == BulkAction.REFUSE and not data.get("refusal_reason"):
            self.add_error("refusal_reason", gettext("请选择不予受理理由。"))
        return data

    def targets(self) -> list[tuple[str, int]]:
        """(public id, version seen) of each ticked letter; malformed values are dropped."""
        result = []
        for value in self.cleaned_data["letters"]:
            public_id, _sep, version = value.partition(":")
            if version.isdigit():
                result.append((public_id, int(version)))
        return result


class RevealForm(forms.Form):
    """Why the identity is needed: a category, and an explanation the service checks (``identity_reveal``)."""

    category = forms.ChoiceField(label=_("查看事由"), choices=IdentityReveal.Category.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("查看理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("查看完整身份会被记录并接受审计。"),
    )
