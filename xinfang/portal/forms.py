"""Forms of the citizen portal. Every field is labelled; errors are attached to the field concerned."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xinfang.accounts.id_numbers import MOBILE_MAX_TYPED, validate_mobile, validate_resident_id
from xinfang.accounts.services import validate_real_name
from xinfang.letters.models import Rating
from xinfang.letters.services import MESSAGE_MAX_LENGTH
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.selectors import active_bureau_by_code, bureau_chain, place_children
from xinfang.portal.channels import channel_from_token
from xinfang.portal.services import LetterDraft
from xinfang.publication.selectors import PublicFilters
from xinfang.vocabulary import LetterType

SUBJECT_MAX = 100
TEXT_MIN = 10
TEXT_MAX = 5000
ACCEPTED_FILES = "image/jpeg,image/png,image/gif,image/webp,application/pdf,.jpg,.jpeg,.png,.gif,.webp,.pdf"
# Police types a citizen can recognise; oversight and petition departments are chosen by routing.
CITIZEN_POLICE_TYPES = [
    PoliceType.PUBLIC_ORDER,
    PoliceType.CRIMINAL,
    PoliceType.TRAFFIC,
    PoliceType.EXIT_ENTRY,
    PoliceType.HOUSEHOLD,
    PoliceType.CYBER,
    PoliceType.ECONOMIC,
    PoliceType.NARCOTICS,
    PoliceType.DETENTION,
    PoliceType.LEGAL,
]


def max_file_mb() -> str:
    return f"{settings.XINFANG_ATTACHMENT_MAX_BYTES / 1024 / 1024:g}"


def _interpolate(message: Any, values: dict[str, Any]) -> str:
    return message % values


# Formatting a lazy translation with % would translate it once, at import; this waits for the request.
interpolate_lazy = lazy(_interpolate, str)


# ---------------------------------------------------------------- accounts


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "tel", "autocomplete": "tel-national", "maxlength": str(MOBILE_MAX_TYPED)}
        super().__init__(label=gettext_lazy("手机号码"), widget=forms.TextInput(attrs=attrs), **kwargs)

    def clean(self, value: Any) -> str:
        # validate_mobile checks the length itself, with a message that says what to type.
        return validate_mobile(super().clean(value))


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6", "pattern": "[0-9]*"}
        super().__init__(
            label=gettext_lazy("短信验证码"),
            max_length=6,
            min_length=6,
            widget=forms.TextInput(attrs=attrs),
            help_text=gettext_lazy("6 位数字，5 分钟内有效。"),
            **kwargs,
        )


def password_field(label: Any, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}), max_length=128
    )


class NewPasswordMixin(forms.Form):
    password1 = password_field(gettext_lazy("设置密码"), "new-password")
    password2 = password_field(gettext_lazy("再次输入密码"), "new-password")

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2", "")
        if first and first != second:
            raise ValidationError(_("两次输入的密码不一致。"))
        if first:
            validate_password(first)
        return str(second)


class SignUpForm(NewPasswordMixin):
    real_name = forms.CharField(
        label=gettext_lazy("真实姓名"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=gettext_lazy("身份证号码"),
        max_length=25,
        help_text=gettext_lazy("18 位公民身份号码，最后一位可以是 X。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    phone = PhoneField()
    code = CodeField()
    field_order = ["real_name", "id_number", "phone", "code", "password1", "password2"]

    def clean_real_name(self) -> str:
        return validate_real_name(self.cleaned_data["real_name"])

    def clean_id_number(self) -> str:
        return validate_resident_id(self.cleaned_data["id_number"])


class PasswordSignInForm(forms.Form):
    phone = PhoneField()
    password = password_field(gettext_lazy("密码"), "current-password")


class CodeSignInForm(forms.Form):
    phone = PhoneField()
    code = CodeField()


class ResetPasswordForm(NewPasswordMixin):
    phone = PhoneField()
    code = CodeField()
    field_order = ["phone", "code", "password1", "password2"]


# ---------------------------------------------------------------- files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern), with the count limited."""

    def __init__(self, *, max_files: int, **kwargs: Any) -> None:
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_files:
            raise ValidationError(_("最多上传 %(max)s 个文件。") % {"max": self.max_files})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def attachments_field(label: Any) -> MultipleFileField:
    return MultipleFileField(
        label=label,
        required=False,
        max_files=min(10, settings.XINFANG_ATTACHMENTS_PER_LETTER),
        help_text=interpolate_lazy(
            gettext_lazy("可选。JPEG、PNG、GIF、WebP 图片或 PDF 文件，每个不超过 %(mb)s MB，最多 10 个。"),
            {"mb": max_file_mb()},
        ),
    )


# ---------------------------------------------------------------- writing a letter


def _place_label(unit: Unit) -> str:
    return unit.division_display or unit.display_name


class PlaceField(forms.ChoiceField):
    """One level of the place pickers. The units come from the per-process copy of the tree; the
    labelled choices are built only when the page is rendered (a submitted letter checks the code
    it names against the units offered and never builds them)."""

    def offer(self, options: list[Unit], *, blank: bool) -> None:
        self._codes = frozenset(unit.code for unit in options)

        def choices() -> list[tuple[str, str]]:
            first = [("", _("请选择"))] if blank else []
            return first + [(unit.code, _place_label(unit)) for unit in options]

        self.choices = choices

    def valid_value(self, value: Any) -> bool:
        return str(value) in getattr(self, "_codes", frozenset())


class WriteForm(forms.Form):
    """A letter to ``mailbox``. The place pickers start at the mailbox's own jurisdiction."""

    PLACE_LEVELS = ("province", "city", "county")

    letter_type = forms.ChoiceField(label=gettext_lazy("来信类型"), widget=forms.RadioSelect)
    police_type = forms.ChoiceField(
        label=gettext_lazy("涉及警种"), required=False, help_text=gettext_lazy("不清楚可以不选。")
    )
    province = PlaceField(label=gettext_lazy("省（自治区、直辖市）"))
    city = PlaceField(label=gettext_lazy("市（地区、州）或区县"), required=False)
    county = PlaceField(label=gettext_lazy("县（市、区）"), required=False)
    address = forms.CharField(
        label=gettext_lazy("详细地址"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("事情发生的街道、门牌或地点，可选。"),
    )
    accuses_police = forms.BooleanField(
        label=gettext_lazy("我反映的是事发地公安机关或其民警"),
        required=False,
        help_text=gettext_lazy("仅限投诉和举报。为了回避，这类来信不会交给被反映的单位办理。"),
    )
    accuses_leadership = forms.BooleanField(label=gettext_lazy("反映的是该单位的领导"), required=False)
    accused_officer_name = forms.CharField(
        label=pgettext_lazy("citizen's form", "被反映民警姓名"), max_length=60, required=False
    )
    accused_badge_number = forms.CharField(label=gettext_lazy("警号"), max_length=20, required=False)
    accused_officer_post = forms.CharField(
        label=gettext_lazy("被反映民警职务"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("填写了民警姓名、警号或职务的，视为反映事发地公安机关及其民警。"),
    )
    subject = forms.CharField(
        label=gettext_lazy("标题"),
        max_length=SUBJECT_MAX,
        help_text=interpolate_lazy(gettext_lazy("用一句话概括，不超过 %(max)s 字。"), {"max": SUBJECT_MAX}),
    )
    text = forms.CharField(
        label=gettext_lazy("来信内容"),
        min_length=TEXT_MIN,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=interpolate_lazy(
            gettext_lazy("写明时间、地点、经过和您的诉求，%(min)s 至 %(max)s 字。"), {"min": TEXT_MIN, "max": TEXT_MAX}
        ),
    )
    attachments = attachments_field(gettext_lazy("上传附件"))
    consent_to_publish = forms.BooleanField(
        label=gettext_lazy("同意在隐去姓名、证件号、电话、车牌和详细地址后公开本信及答复"), required=False
    )
    not_emergency = forms.BooleanField(label=gettext_lazy("这不是正在发生的紧急情况，我仍要提交这封信"), required=False)
    # The entry the form was opened from, signed for this mailbox (portal.channels); a bad value is the web.
    channel = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, mailbox: Mailbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox
        self._choice_field("letter_type").choices = [(t, LetterType(t).label) for t in mailbox.letter_types]
        self._choice_field("police_type").choices = [
            ("", _("不清楚")),
            *((p.value, p.label) for p in CITIZEN_POLICE_TYPES),
        ]
        self._set_place_choices()

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def _picked(self, level: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(level), "") or "")
        return str(self.initial.get(level, "") or "")

    def _set_place_choices(self) -> None:
        """Each level offers the children of the level above; levels of the mailbox's own
        jurisdiction are fixed (a Guangzhou letter is about a place in Guangzhou)."""
        fixed = bureau_chain(self.mailbox.owner)
        parent: Unit | None = None
        for depth, level in enumerate(self.PLACE_LEVELS):
            if depth < len(fixed):
                options = [fixed[depth]]
                self.initial.setdefault(level, fixed[depth].code)
            elif depth == 0 or parent is not None:
                options = place_children(parent)
            else:
                options = []
            field = self.fields[level]
            assert isinstance(field, PlaceField)
            field.offer(options, blank=depth >= len(fixed))
            field.widget.attrs.update({"data-place-level": str(depth)})
            picked = self._picked(level) or (fixed[depth].code if depth < len(fixed) else "")
            parent = next((u for u in options if u.code == picked), None)

    def place(self) -> Unit | None:
        """The most specific place chosen."""
        for level in reversed(self.PLACE_LEVELS):
            code = self.cleaned_data.get(level)
            if code:
                return active_bureau_by_code(code)
        return None

    OFFICER_FIELDS = ("accused_officer_name", "accused_badge_number", "accused_officer_post")

    def accuses(self) -> bool:
        """Ticking the box or naming an officer: either way the letter accuses the place's police."""
        data = self.cleaned_data
        return bool(data.get("accuses_police")) or any(str(data.get(name, "")).strip() for name in self.OFFICER_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        accuses = self.accuses()
        if accuses and data.get("letter_type") not in (LetterType.COMPLAINT, LetterType.REPORT):
            self.add_error("accuses_police", _("只有投诉和举报可以填写被反映的单位或民警，请改选来信类型。"))
        if data.get("accuses_leadership") and not accuses:
            self.add_error("accuses_police", _("反映单位领导时，请同时勾选此项。"))
        return data

    def draft(self) -> LetterDraft:
        data = self.cleaned_data
        place = self.place()
        return LetterDraft(
            letter_type=data["letter_type"],
            channel=channel_from_token(data["channel"], self.mailbox),
            subject=data["subject"],
            text=data["text"],
            division_code=place.division_code if place is not None else "",
            address=data["address"],
            police_type=data["police_type"],
            accused_unit=place if self.accuses() and place is not None else None,
            accused_officer_name=data["accused_officer_name"],
            accused_badge_number=data["accused_badge_number"],
            accused_officer_post=data["accused_officer_post"],
            accuses_leadership=data["accuses_leadership"],
            consent_to_publish=data["consent_to_publish"],
        )


# ---------------------------------------------------------------- following a letter


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("给承办人留言"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=interpolate_lazy(gettext_lazy("不超过 %(max)s 字。"), {"max": MESSAGE_MAX_LENGTH}),
    )
    attachments = attachments_field(gettext_lazy("留言附件"))


class SupplyInfoForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("补充的内容"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = attachments_field(gettext_lazy("补充的材料"))


class EvaluateForm(forms.Form):
    rating = forms.ChoiceField(
        label=gettext_lazy("您对答复是否满意？"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("评价意见"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("申请复查的理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReexamRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("申请复核的理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


# ---------------------------------------------------------------- public pages


class LookupForm(forms.Form):
    tracking_number = forms.CharField(
        label=gettext_lazy("信件编号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        help_text=gettext_lazy(
            "提交时显示的编号：信箱代码、提交日期和 6 位数字，例如广州市公安局局长信箱的 GD01-20261207-483920。"
        ),
    )
    query_code = forms.CharField(
        label=gettext_lazy("查询码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        help_text=gettext_lazy("提交时只显示一次的 16 位查询码，可以不输入短横线。"),
    )


class PublishedSearchForm(forms.Form):
    """The public list's search and filters (``publication.selectors.PublicFilters``)."""

    q = forms.CharField(label=gettext_lazy("搜索公开信件"), required=False, max_length=100)
    letter_type = forms.ChoiceField(
        label=gettext_lazy("类型"), required=False, choices=[("", gettext_lazy("全部")), *LetterType.choices]
    )
    police_type = forms.ChoiceField(
        label=gettext_lazy("警种"), required=False, choices=[("", gettext_lazy("全部")), *PoliceType.choices]
    )
    month = forms.DateField(
        label=gettext_lazy("公开月份"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def filters(self) -> PublicFilters:
        if not self.is_valid():
            return PublicFilters()
        data = self.cleaned_data
        return PublicFilters(
            query=data["q"], letter_type=data["letter_type"], police_type=data["police_type"], month=data["month"]
        )


class ConsentWithdrawForm(forms.Form):
    """Nothing to type: the button is the decision (``publication.services.consent_withdraw``)."""
