"""The rollup tables behind the statistics pages (docs/statistics.md).

``Rollup`` holds the counters of :data:`xinfang.statistics.figures.COUNTERS` per period (a day,
``grain="d"``, or a calendar month, ``grain="m"``), unit and *slice*: ``dim="all"`` is every letter,
the other slices split the same counts by one attribute of the letter (``key``: its police type,
channel, letter type, mailbox id, place code or accused unit id). Rows of the slice ``all`` also
hold the day counts behind the percentiles (``accept_hist``, ``reply_hist``). ``SubtreeRollup`` holds the
same cells per *subtree*: each row of ``Rollup`` is also counted into the unit itself and every unit
above it, so a unit's figures with everything under it are a read of that unit's own rows, whatever
the size of its subtree. ``LetterFigures`` remembers what each
letter contributes, so that a change to a letter moves exactly its own counts, and
``RollupWatermark`` how far the worker has read the timeline.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.statistics.figures import COUNTERS, HISTOGRAMS


class Grain(models.TextChoices):
    DAY = "d", _("日")
    MONTH = "m", _("月")


class RollupBase(models.Model):
    grain = models.CharField(max_length=1, choices=Grain.choices)
    start = models.DateField()  # the day, or the first day of the month
    unit_id = models.IntegerField()  # orgs.Unit id (no foreign key: rollups never block a unit change)
    dim = models.CharField(max_length=12)
    key = models.CharField(max_length=24, blank=True)

    class Meta:
        abstract = True


class Rollup(RollupBase):
    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        constraints = [
            # Unit before date: a page asks for a list of units (a subtree) over a range of dates, and
            # PostgreSQL probes the index once per unit (docs/benchmarks.md, "Statistics").
            models.UniqueConstraint(fields=["grain", "dim", "unit_id", "start", "key"], name="rollup_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.start} {self.unit_id} {self.dim}={self.key}"


class SubtreeRollup(RollupBase):
    """``Rollup`` summed over a unit's subtree: the row of unit U is the sum of the ``Rollup`` rows of
    U and of every unit under it (``orgs.selectors.unit_ids_under``), kept by the same job."""

    class Meta:
        verbose_name = _("下辖统计汇总")
        verbose_name_plural = _("下辖统计汇总")
        constraints = [
            models.UniqueConstraint(fields=["grain", "dim", "unit_id", "start", "key"], name="subtreerollup_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.start} {self.unit_id}+ {self.dim}={self.key}"


for _model in (Rollup, SubtreeRollup):
    for _name in COUNTERS:
        _model.add_to_class(_name, models.IntegerField(default=0))
    # The day counts behind the percentiles, {days: letters}, slice "all" only: days to acceptance
    # (counted with "accepted") and to reply (with "replied").
    for _name in HISTOGRAMS:
        _model.add_to_class(_name, models.JSONField(default=dict, blank=True))


class LetterFigures(models.Model):
    """What one letter contributes to the rollups, as last counted (``rollup.letter_contribution``)."""

    letter = models.OneToOneField("letters.Letter", primary_key=True, on_delete=models.CASCADE, related_name="+")
    dims = models.JSONField(default=dict)
    entries = models.JSONField(default=list)  # [[day, unit_id, {counter: n}], ...]
    hist = models.JSONField(default=list)  # [[day, unit_id, measure, days], ...]
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("信件统计口径")
        verbose_name_plural = _("信件统计口径")

    def __str__(self) -> str:
        return str(self.letter_id)


class RollupWatermark(models.Model):
    """The last timeline row (``LetterEvent.id``) the rollup job has counted; one row, locked while counting."""

    name = models.CharField(max_length=32, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("统计进度")
        verbose_name_plural = _("统计进度")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"


class ReportPeriod(models.TextChoices):
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")
    YEAR = "year", _("年报")


class ReportOrigin(models.TextChoices):
    SCHEDULED = "scheduled", _("按期生成")
    REQUESTED = "requested", _("按需生成")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


class PeriodicReport(models.Model):
    """A unit's periodic report (issue 19 §2): figures, assessment, hotspots and notable letters,
    as PDF and .xlsx, made by the worker (``reports.reports_make``) on schedule or on request."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("报告周期"), max_length=8, choices=ReportPeriod.choices)
    start = models.DateField(_("起始日"))
    end = models.DateField(_("截止日"))  # inclusive
    origin = models.CharField(_("来源"), max_length=10, choices=ReportOrigin.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(_("状态"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    pdf = models.FileField(_("PDF 文件"), upload_to="statistics/reports/%Y/%m/", blank=True)
    xlsx = models.FileField(_("Excel 文件"), upload_to="statistics/reports/%Y/%m/", blank=True)
    notable = models.PositiveIntegerField(_("重点信件数"), default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("申请时间"))
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("定期报告")
        verbose_name_plural = _("定期报告")
        ordering = ["-start", "-created_at", "-id"]
        constraints = [
            # One scheduled report per unit and period; reports on request may repeat (the figures move on).
            models.UniqueConstraint(
                fields=["unit", "period", "start"], condition=models.Q(origin="scheduled"),
                name="periodicreport_scheduled_once",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["unit", "start"], name="periodicreport_unit_idx"),
            models.Index(fields=["status", "created_at"], name="periodicreport_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period} {self.start}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")
    EXPIRED = "expired", _("已过期")  # the file deleted after the retention period (``exports.exports_expire``)


class LetterExport(models.Model):
    """A large letter-list export made by the worker (``exports.letter_export_make``) for the one who
    asked: the letters chosen when asked (``letter_ids``, in the list's order), each checked again
    against what the requester may see when the file is made; downloadable by the requester only,
    until ``XINFANG_EXPORT_RETENTION_DAYS`` after it was made (then expired: the file deleted, the row
    and the audit entry kept)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="+"
    )
    what = models.CharField(_("清单"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    header = models.JSONField(_("表头"), default=dict)  # unit, period, filter as shown in the sheet's header
    filters = models.JSONField(_("筛选条件"), default=dict)
    letter_ids = models.JSONField(default=list)
    status = models.CharField(_("状态"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("申请时间"))
    ready_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("信件清单导出")
        verbose_name_plural = _("信件清单导出")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="letterexport_requester_idx")]

    def __str__(self) -> str:
        return f"{self.what} {self.created_at:%Y-%m-%d %H:%M}"
