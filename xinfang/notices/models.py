"""Written notices (书面告知): one PDF per decision on a letter, numbered per issuing organ and year.

A notice is made by the worker from the letter's timeline (``services.notices_issue``), dated at the
decision (the ``LetterEvent``'s time), never at the moment it happens to be rendered.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理告知书")
    NON_ACCEPTANCE = "non_acceptance", _("不予受理告知书")
    REFERRAL = "referral", pgettext_lazy("notice kind", "告知向有权机关提出")
    EXTENSION = "extension", _("延期办理告知书")
    REPLY = "reply", _("信访事项处理意见书")
    REVIEW = "review", _("复查意见书")
    REEXAM = "reexam", _("复核意见书")


class NoticeTemplate(models.Model):
    """The wording an administrator may change around a notice's required elements.

    The organ, the number, the date, the writer's name, the decision, the legal basis, the rights
    and time limits and the place for the seal are always rendered by the code; these texts only
    frame them. Without a row, the declared default (``defaults.DEFAULTS``) is used.
    """

    kind = models.CharField(_("告知书种类"), max_length=20, choices=NoticeKind.choices, unique=True)
    title = models.CharField(pgettext_lazy("title", "标题"), max_length=60)
    series = models.CharField(
        _("文号类别字"), max_length=8, help_text=_("文号中机关代字之后的字，如“告”：粤公信告〔2026〕17号。")
    )
    opening = models.TextField(
        _("开头语"), blank=True, help_text=_("写在决定之前，可用 {{ tracking_number }}、{{ received }}。")
    )
    closing = models.TextField(_("结束语"), blank=True, help_text=_("写在权利告知之后，如“特此告知。”"))
    legal_basis = models.TextField(
        _("法律依据"), help_text=_("本告知书所依据的《信访工作条例》条款，必填，始终印在告知书上。")
    )
    rights = models.TextField(
        _("权利和期限告知"),
        blank=True,
        help_text=_(
            "可用 {{ due }}（申请期限）、{{ organ }}（受理机关）、{{ days }}（天数）。期限和机关由系统计算后始终印出。"
        ),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("告知书模板")
        verbose_name_plural = _("告知书模板")

    def __str__(self) -> str:
        return self.get_kind_display()


class IssuerCode(models.Model):
    """The organ's short code at the head of its document numbers (机关代字), e.g. 粤公信 for Guangdong.

    Without a row the code is derived from the unit's region (``numbering.default_issuer_code``)."""

    unit = models.OneToOneField("orgs.Unit", verbose_name=_("发文机关"), on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("机关代字"), max_length=20)

    class Meta:
        verbose_name = _("发文机关代字")
        verbose_name_plural = _("发文机关代字")

    def __str__(self) -> str:
        return self.code


class DocumentCounter(models.Model):
    """The last serial issued per organ, year and series: taken with a conditional update, in the
    same transaction as the notice, so a number is used once and a rolled-back notice leaves no gap."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    series = models.CharField(max_length=8)
    issued = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文号计数器")
        verbose_name_plural = _("文号计数器")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "series"], name="documentcounter_unit_year_series")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.series}: {self.issued}"


class Notice(models.Model):
    """One written notice: the decision (a timeline event) it records, its number and its PDF."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    letter = models.ForeignKey(
        "letters.Letter", verbose_name=pgettext_lazy("singular", "信件"), on_delete=models.CASCADE, related_name="+"
    )
    event = models.OneToOneField(
        "letters.LetterEvent", verbose_name=_("决定"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("种类"), max_length=20, choices=NoticeKind.choices)
    issuing_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("发文机关"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    series = models.CharField(_("文号类别字"), max_length=8)
    serial = models.PositiveIntegerField(_("序号"))
    document_number = models.CharField(_("文号"), max_length=60, unique=True)
    issued_at = models.DateTimeField(_("成文时间"))
    file = models.FileField(_("告知书文件"), upload_to="notices/%Y/%m/", blank=True)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    # Renders that failed (logged with their error); after ``services.RENDER_TRIES`` the job stops
    # trying, and an administrator renders it again from the admin once the cause is fixed.
    render_failures = models.PositiveSmallIntegerField(_("生成失败次数"), default=0)
    render_failed_at = models.DateTimeField(_("最近一次生成失败"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("书面告知")
        verbose_name_plural = pgettext_lazy("plural", "书面告知")
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issuing_unit", "year", "series", "serial"], name="notice_number_once")
        ]
        indexes = [
            models.Index(fields=["letter", "issued_at"], name="notice_letter_idx"),
            # The job's look for notices still without a file reads only those (a handful among millions).
            models.Index(fields=["created_at"], name="notice_unrendered_idx", condition=models.Q(file="")),
        ]

    def __str__(self) -> str:
        return self.document_number


class NoticeWatermark(models.Model):
    """How far the job has read the timeline: every event up to ``last_event_id`` has its notice."""

    name = models.CharField(max_length=30, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("告知书进度")
        verbose_name_plural = _("告知书进度")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"
