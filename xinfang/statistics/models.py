"""The rollup tables behind the statistics pages (docs/statistics.md).

``Rollup`` holds the counters of :data:`xinfang.statistics.figures.COUNTERS` per period (a day,
``grain="d"``, or a calendar month, ``grain="m"``), unit and *slice*: ``dim="all"`` is every letter,
the other slices split the same counts by one attribute of the letter (``key``: its police type,
channel, letter type, mailbox id, place code or accused unit id). Rows of the slice ``all`` also
hold the day counts behind the percentiles (``accept_hist``, ``reply_hist``). ``LetterFigures`` remembers what each
letter contributes, so that a change to a letter moves exactly its own counts, and
``RollupWatermark`` how far the worker has read the timeline.
"""

from __future__ import annotations

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


for _name in COUNTERS:
    Rollup.add_to_class(_name, models.IntegerField(default=0))
# The day counts behind the percentiles, {days: letters}, slice "all" only: days to acceptance
# (counted with "accepted") and to reply (with "replied").
for _name in HISTOGRAMS:
    Rollup.add_to_class(_name, models.JSONField(default=dict, blank=True))


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
