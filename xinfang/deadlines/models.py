"""The official holiday calendar and the admin-editable time-limit overrides."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from xinfang.deadlines.law import DayKind, Limit, Step, describe, law_problem
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import LetterType


class Holiday(models.Model):
    """A day of the official arrangement that breaks the Monday-to-Friday rule.

    ``is_working_day=False``: a public holiday or a rest day of a holiday period (weekend days inside
    the period are kept too, for their name). ``is_working_day=True``: a weekend day worked in exchange
    (调休上班). Rows count only for a year that has a ``HolidayYear``.
    """

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("调休上班"), default=False, help_text=_("勾选：调休上班的周末；不勾选：法定节假日或休息日")
    )
    name = models.CharField(_("名称"), max_length=60)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


class HolidayYear(models.Model):
    """Records that a year's official arrangement is loaded; without it the year counts weekends only."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200)
    loaded_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("已导入的年度节假日")
        verbose_name_plural = _("已导入的年度节假日")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class TimeLimitPolicy(models.Model):
    """A stricter local time limit; the most specific row wins (see ``policies.limit_for``)."""

    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("信箱"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="time_limit_policies",
        help_text=_("留空：适用于所有信箱"),
    )
    letter_type = models.CharField(
        _("信件类型"), max_length=16, choices=LetterType.choices, blank=True, help_text=_("留空：适用于所有类型")
    )
    step = models.CharField(_("环节"), max_length=24, choices=Step.choices)
    days = models.PositiveSmallIntegerField(_("天数"), validators=[MinValueValidator(1), MaxValueValidator(366)])
    day_kind = models.CharField(_("计算方式"), max_length=8, choices=DayKind.choices, default=DayKind.CALENDAR)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("时限设置")
        verbose_name_plural = _("时限设置")
        ordering = ["step", "mailbox_id", "letter_type"]
        # Two partial constraints because NULL mailboxes never collide in a plain unique constraint.
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "letter_type", "step"],
                condition=models.Q(mailbox__isnull=False),
                name="timelimitpolicy_unique_per_mailbox",
                violation_error_message=_("该信箱已有同一类型、同一环节的时限设置。"),
            ),
            models.UniqueConstraint(
                fields=["letter_type", "step"],
                condition=models.Q(mailbox__isnull=True),
                name="timelimitpolicy_unique_everywhere",
                violation_error_message=_("已有适用于所有信箱的同一类型、同一环节的时限设置。"),
            ),
        ]

    def __str__(self) -> str:
        where = self.mailbox.display_name if self.mailbox else _("所有信箱")
        kind = self.get_letter_type_display() if self.letter_type else _("所有类型")
        step = pgettext("a step and its limit", "%(step)s：%(limit)s") % {
            "step": self.get_step_display(),
            "limit": describe(self.days, self.day_kind),
        }
        return f"{where} · {kind} · {step}"

    def as_limit(self) -> Limit:
        return Limit(self.days, DayKind(self.day_kind), str(self))

    def clean(self) -> None:
        # An unknown step or a missing number is already reported by the field validation.
        if self.step in Step.values and self.days:
            problem = law_problem(self.step, self.as_limit())
            if problem:
                raise ValidationError({"days": problem})
