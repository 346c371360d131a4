"""Forms of the handler, leader and inspector pages.

Forms only validate what the user typed; the services decide whether the action is allowed and
say why not. Every form that changes a letter's state carries the letter's ``version`` as the
user saw it, so that a page left open while a colleague acted is caught as a conflict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.console.forms_desk import AccusedForm, unit_option
from xinfang.console.selectors_work import WORK_STATES, Light
from xinfang.letters.services import MESSAGE_MAX_LENGTH
from xinfang.vocabulary import LetterType

TEXT_MAX_LENGTH = 20000


def _text(label: Any, *, rows: int = 4, required: bool = True, max_length: int = TEXT_MAX_LENGTH) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    """A date picker. ``<input type="date">`` takes ISO dates only, whatever the user's locale
    (Chinese formats would otherwise render ``2026/12/05``, which the browser shows as empty)."""
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _not_before_today(day: dt.date | None) -> dt.date | None:
    if day is not None and day < timezone.localdate():
        raise forms.ValidationError(_("期限不能早于今天。"))
    return day


class VersionedForm(forms.Form):
    """A form that changes the letter's state: it remembers which version of the letter was shown."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StartHandlingForm(VersionedForm):
    pass


class AccusedChangeForm(AccusedForm):
    """The letter page's correction of whom the letter accuses: the front desk's decision box, with a reason."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _(
            "更改已认定的被反映单位须说明理由；信件如因回避移出本单位，将交上一级受理。"
        )


def accused_initial(accused: Any) -> dict[str, str]:
    """The decision as it stands, for the form's first showing."""
    decision = AccusedForm.UNIT if accused is not None else AccusedForm.NONE
    return {"decision": decision, "unit": unit_option(accused)}


class ExtensionRequestForm(VersionedForm):
    reason = _text(_("延期理由（将告知信访人）"))

    def __init__(self, *args: Any, max_days: int = 30, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The maximum is the mailbox's policy (30 days by law), known only once the letter is.
        self.fields["days"] = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=max_days)
        self.order_fields(["version", "days", "reason"])


class ExtensionDecisionForm(VersionedForm):
    APPROVE = "approve"
    REFUSE = "refuse"

    decision = forms.ChoiceField(
        label=_("审批意见"), choices=[(APPROVE, _("批准延期")), (REFUSE, _("不批准"))], widget=forms.HiddenInput
    )
    note = _text(_("意见（不批准时必填）"), rows=2, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.REFUSE and not (data.get("note") or "").strip():
            self.add_error("note", _("不批准延期时请说明理由。"))
        return data


class ReportBackForm(VersionedForm):
    text = _text(_("办理结果（报告交办单位）"))


class DraftReplyForm(VersionedForm):
    text = _text(_("答复意见"), rows=8)


class RejectReplyForm(VersionedForm):
    note = _text(_("修改意见"), rows=3)


class ApproveReplyForm(VersionedForm):
    text = _text(_("答复意见（可修改；留空则按原稿答复）"), rows=8, required=False)


class ReturnMisroutedForm(VersionedForm):
    reason = _text(_("退回理由"), rows=3)


class AnswerReviewForm(VersionedForm):
    text = _text(_("复查意见"), rows=6)


class AnswerReexamForm(VersionedForm):
    text = _text(_("复核意见（复核后终结）"), rows=6)


class MessageForm(forms.Form):
    text = _text(_("给信访人的留言"), rows=3, max_length=MESSAGE_MAX_LENGTH)


class NoteForm(forms.Form):
    text = _text(_("内部备注（信访人看不到）"), rows=3, max_length=MESSAGE_MAX_LENGTH)
    file = forms.FileField(
        label=_("内部附件（可不选；图片或 PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}),
    )


class InstructionForm(forms.Form):
    text = _text(_("批示内容"), rows=4)
    due = date_field(_("办理期限（可不填）"), required=False)

    def clean_due(self) -> dt.date | None:
        return _not_before_today(self.cleaned_data.get("due"))


class InstructionResponseForm(forms.Form):
    text = _text(_("落实情况"), rows=3)


class SupervisionIssueForm(forms.Form):
    text = _text(_("督办要求"), rows=4)
    due = date_field(_("督办期限"), required=True)

    def clean_due(self) -> dt.date | None:
        return _not_before_today(self.cleaned_data.get("due"))


class SupervisionResponseForm(forms.Form):
    text = _text(_("办理情况"), rows=3)


# ---------------------------------------------------------------- list filters


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class WorkFilterForm(forms.Form):
    MINE = "mine"
    UNIT = "unit"

    scope = forms.ChoiceField(
        label=_("范围"), required=False, choices=[(UNIT, _("本单位信件")), (MINE, _("我经手的信件"))]
    )
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=_blank(_("全部状态")) + [(s.value, s.label) for s in WORK_STATES]
    )
    letter_type = forms.ChoiceField(
        label=_("类型"), required=False, choices=_blank(_("全部类型")) + list(LetterType.choices)
    )
    light = forms.ChoiceField(
        label=_("期限"),
        required=False,
        choices=_blank(_("全部"))
        + [(light.value, light.label) for light in (Light.OVERDUE, Light.DUE_SOON, Light.ON_TIME)],
    )
    q = forms.CharField(label=_("编号或标题"), required=False, max_length=100)


class SupervisionFilterForm(forms.Form):
    unit = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    light = forms.ChoiceField(
        label=_("期限"),
        required=False,
        choices=_blank(_("全部")) + [(light.value, light.label) for light in (Light.OVERDUE, Light.DUE_SOON)],
    )
    flagged = forms.BooleanField(label=_("自动督办"), required=False)
    returned = forms.BooleanField(label=_("退回两次以上"), required=False)
    ordered = forms.BooleanField(label=_("有未办结督办"), required=False)
