"""Every statistics figure, defined once: what it counts, its formula and the date it is counted on.

The console's statistics pages, the assessment, the exports and docs/statistics.md all read these
definitions. A figure is computed from :class:`Totals`: the sums of the rollup counters
(:data:`COUNTERS`) over a period and a set of units, the day-count histograms behind the
percentiles, and the live count of overdue letters.

Units: a letter's receipt and the front desk's decision count for its *intake unit* (the owner of
the mailbox, or the desk that took it); everything from the reply on counts for the *replying unit*
(the handling unit, or the intake unit when the desk answered itself). Days are calendar days in
Beijing time between the receipt date and the date of the step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The counters kept per day, unit and slice (models.Rollup); each is a number of letters unless named *_sum.
COUNTERS: tuple[str, ...] = (
    "received",  # letters received, on the receipt date, at the intake unit
    "repeats",  # of those, linked as repeats of an earlier letter (repeat_of)
    "decided",  # front-desk decisions (accept, refuse, refer, redirect to 110), on the decision date
    "decided_on_time",  # of those, on or before the acceptance due date
    "accepted",
    "refused",
    "referred",
    "redirected",
    "accept_days_sum",  # sum of days from receipt to acceptance, over accepted letters
    "owed_reply",  # accepted letters the unit must answer, on the acceptance date, at the replying unit
    "owed_reply_done",  # of those, replied by now
    "replied",  # replies sent, on the reply date, at the replying unit
    "replied_on_time",  # of those, on or before the reply due date (extensions included)
    "reply_days_sum",  # sum of days from receipt to reply
    "extensions",  # extensions approved, on the approval date
    "rated",  # evaluations by the writer, on the evaluation date
    "satisfied",  # of those, satisfied or basically satisfied
    "review_requested",
    "review_answered",
    "review_judged",  # review answers that recorded an outcome (upheld / changed)
    "review_overturned",  # of those, changing or overturning the reply
    "reexam_requested",
    "reexam_answered",
    "reexam_judged",
    "reexam_overturned",
)

# The slices of the rollups: "all", then one per attribute of the letter a table can group by.
DIMENSIONS: tuple[str, ...] = ("all", "police_type", "channel", "letter_type", "mailbox", "place", "accused")
# Outcomes recorded in the review / re-examination answer's timeline data ("outcome") that count as overturned.
OVERTURNING = frozenset({"changed", "overturned", "revoked"})
MEASURES = ("accept", "reply")
HISTOGRAMS = ("accept_hist", "reply_hist")  # Rollup's JSON columns, one per measure


@dataclass
class Totals:
    """Summed counters, histograms (measure → {days: letters}) and the live overdue count."""

    counts: dict[str, int] = field(default_factory=dict)
    hist: dict[str, dict[int, int]] = field(default_factory=dict)
    overdue: int | None = None

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    def add(self, other: Totals) -> None:
        for name, value in other.counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        for measure, days in other.hist.items():
            mine = self.hist.setdefault(measure, {})
            for day, n in days.items():
                mine[day] = mine.get(day, 0) + n
        if other.overdue is not None:
            self.overdue = (self.overdue or 0) + other.overdue

    def subtract(self, other: Totals) -> None:
        """Take ``other``'s counts and day counts away (a subtree less the subtrees under it)."""
        for name, value in other.counts.items():
            self.counts[name] = self.counts.get(name, 0) - value
        for measure, days in other.hist.items():
            mine = self.hist.setdefault(measure, {})
            for day, n in days.items():
                left = mine.get(day, 0) - n
                if left:
                    mine[day] = left
                else:
                    mine.pop(day, None)
        if other.overdue is not None:
            self.overdue = (self.overdue or 0) - other.overdue


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` as a percentage, or None (shown "—") when nothing was counted."""
    return None if whole == 0 else round(100.0 * part / whole, 1)


def mean(total: int, n: int) -> float | None:
    return None if n == 0 else round(total / n, 1)


def percentile(histogram: Mapping[int, int], p: float) -> int | None:
    """Nearest-rank percentile of whole days: the smallest d with at least p% of letters at ≤ d days."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, math.ceil(p * n / 100 - 1e-9))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return max(histogram)


@dataclass(frozen=True)
class Figure:
    name: str
    label: Promise
    formula: Promise
    counted_on: Promise
    compute: Callable[[Totals], float | int | None]
    unit: str = ""  # "%" or "days" or "" (a number of letters)
    needs_histogram: bool = False


def _count(name: str) -> Callable[[Totals], int]:
    return lambda t: t[name]


FIGURES: tuple[Figure, ...] = (
    Figure("received", _("收信数"), _("期间收到的信件数"), _("接收日，计入受理单位"), _count("received")),
    Figure("accepted", _("受理数"), _("期间作出受理决定的信件数"), _("受理日，计入受理单位"), _count("accepted")),
    Figure("refused", _("不予受理数"), _("期间作出不予受理决定的信件数"), _("决定日，计入受理单位"), _count("refused")),
    Figure("referred", _("告知向有权机关提出数"), _("期间告知向有权机关提出的信件数"), _("决定日，计入受理单位"),
           _count("referred")),
    Figure("redirected", _("转 110 数"), _("期间转 110 紧急处置的信件数"), _("决定日，计入受理单位"),
           _count("redirected")),
    Figure("replied", _("答复数"), _("期间作出答复的信件数"), _("答复日，计入答复单位"), _count("replied")),
    Figure("replied_on_time_pct", _("按期答复率"),
           _("按期答复数 ÷ 答复数 × 100%（答复日不晚于答复期限，含批准的延期）"), _("答复日，计入答复单位"),
           lambda t: ratio(t["replied_on_time"], t["replied"]), "%"),
    Figure("overdue", _("当前超期数"), _("此刻已过当前期限、仍待机关办理的信件数（实时）"),
           _("统计时点，计入当前应办单位"), lambda t: t.overdue),
    Figure("accept_days_avg", _("平均受理用时（天）"), _("受理用时之和 ÷ 受理数；受理用时 = 受理日 − 接收日"),
           _("受理日，计入受理单位"), lambda t: mean(t["accept_days_sum"], t["accepted"]), "days"),
    Figure("accept_days_p90", _("受理用时 90 分位（天）"), _("90% 的受理件在此天数内受理（最近秩法）"),
           _("受理日，计入受理单位"), lambda t: percentile(t.hist.get("accept", {}), 90), "days", True),
    Figure("reply_days_avg", _("平均答复用时（天）"), _("答复用时之和 ÷ 答复数；答复用时 = 答复日 − 接收日"),
           _("答复日，计入答复单位"), lambda t: mean(t["reply_days_sum"], t["replied"]), "days"),
    Figure("reply_days_p90", _("答复用时 90 分位（天）"), _("90% 的答复件在此天数内答复（最近秩法）"),
           _("答复日，计入答复单位"), lambda t: percentile(t.hist.get("reply", {}), 90), "days", True),
    Figure("extensions", _("延期数"), _("期间批准的延期申请数"), _("批准日，计入答复单位"), _count("extensions")),
    Figure("satisfaction_pct", _("满意率"), _("（满意 + 基本满意）÷ 评价数 × 100%"), _("评价日，计入答复单位"),
           lambda t: ratio(t["satisfied"], t["rated"]), "%"),
    Figure("review_requested_pct", _("复查申请率"), _("复查申请数 ÷ 答复数 × 100%"), _("申请日，计入答复单位"),
           lambda t: ratio(t["review_requested"], t["replied"]), "%"),
    Figure("review_overturned_pct", _("复查改变率"), _("复查改变或撤销原答复数 ÷ 记录了结论的复查答复数 × 100%"),
           _("复查答复日，计入原答复单位"), lambda t: ratio(t["review_overturned"], t["review_judged"]), "%"),
    Figure("reexam_requested_pct", _("复核申请率"), _("复核申请数 ÷ 复查答复数 × 100%"), _("申请日，计入原答复单位"),
           lambda t: ratio(t["reexam_requested"], t["review_answered"]), "%"),
    Figure("reexam_overturned_pct", _("复核改变率"), _("复核改变或撤销数 ÷ 记录了结论的复核答复数 × 100%"),
           _("复核答复日，计入原答复单位"), lambda t: ratio(t["reexam_overturned"], t["reexam_judged"]), "%"),
    Figure("repeat_pct", _("重复信访率"), _("关联为重复信件的收信数 ÷ 收信数 × 100%"), _("接收日，计入受理单位"),
           lambda t: ratio(t["repeats"], t["received"]), "%"),
)  # fmt: skip
FIGURES_BY_NAME = {f.name: f for f in FIGURES}


@dataclass(frozen=True)
class Indicator:
    """One rate of the assessment of subordinate units, and its weight in the composite score."""

    name: str
    label: Promise
    formula: Promise
    compute: Callable[[Totals], float | None]
    weight: float
    higher_is_better: bool = True


INDICATORS: tuple[Indicator, ...] = (
    Indicator("response", _("响应率"), _("按期作出受理决定数 ÷ 作出受理决定数 × 100%（受理、不予受理、告知、转 110）"),
              lambda t: ratio(t["decided_on_time"], t["decided"]), 0.2),
    Indicator("resolution", _("办结率"), _("期间受理、由本单位答复的信件中已答复数 ÷ 该类信件数 × 100%"),
              lambda t: ratio(t["owed_reply_done"], t["owed_reply"]), 0.3),
    Indicator("satisfaction", _("满意率"), _("（满意 + 基本满意）÷ 评价数 × 100%"),
              lambda t: ratio(t["satisfied"], t["rated"]), 0.2),
    Indicator("on_time", _("按期率"), _("按期答复数 ÷ 答复数 × 100%"),
              lambda t: ratio(t["replied_on_time"], t["replied"]), 0.2),
    Indicator("overturn", _("改变率"), _("复查、复核改变数 ÷ 记录了结论的复查、复核答复数 × 100%（越低越好）"),
              lambda t: ratio(t["review_overturned"] + t["reexam_overturned"], t["review_judged"] + t["reexam_judged"]),
              0.1, higher_is_better=False),
)  # fmt: skip

SCORE_FORMULA = _(
    "综合得分 = Σ（权重 × 指标得分）÷ Σ 有数据指标的权重；指标得分为该比率，改变率取 100 − 改变率；"
    "权重：响应率 0.2、办结率 0.3、满意率 0.2、按期率 0.2、改变率 0.1。无数据的指标不计入。"
)


def score(totals: Totals) -> float | None:
    """The composite assessment score (0-100) of :data:`SCORE_FORMULA`, or None without any data."""
    weighted = weights = 0.0
    for indicator in INDICATORS:
        value = indicator.compute(totals)
        if value is None:
            continue
        weighted += indicator.weight * (value if indicator.higher_is_better else 100.0 - value)
        weights += indicator.weight
    return None if weights == 0 else round(weighted / weights, 1)
