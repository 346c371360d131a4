"""The time limits the regulations set, and the rule that keeps local overrides lawful.

No database here: ``models`` needs these names to declare its fields, and ``policies`` needs the
models to look overrides up, so the law sits below both. Import the public names from
``xinfang.deadlines.policies``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


class Step(models.TextChoices):
    ACCEPTANCE = "acceptance", gettext_lazy("受理告知")
    REPLY = "reply", gettext_lazy("办理答复")
    EXTENSION = "extension", gettext_lazy("延期（最多延长）")
    MISROUTE_RETURN = "misroute_return", gettext_lazy("退回错转信件")
    REVIEW_REQUEST = "review_request", gettext_lazy("申请复查")
    REVIEW_ANSWER = "review_answer", gettext_lazy("复查答复")
    REEXAM_REQUEST = "reexam_request", gettext_lazy("申请复核")
    REEXAM_ANSWER = "reexam_answer", gettext_lazy("复核答复")
    EVALUATION_WINDOW = "evaluation_window", gettext_lazy("评价期")
    SUPERVISION_ANSWER = "supervision_answer", gettext_lazy("答复自动督办")


class DayKind(models.TextChoices):
    CALENDAR = "calendar", gettext_lazy("自然日")
    WORKING = "working", gettext_lazy("工作日")


@dataclass(frozen=True)
class Limit:
    """A time limit: ``days`` counted from the day after the start, in ``day_kind`` days."""

    days: int
    day_kind: DayKind
    source: str


def _source(new_zh: str, new_en: str, old_zh: str = "", old_en: str = "") -> str:
    """The article(s) in Chinese, then in English: the 2022 Regulations, then the 2005 ones."""
    zh = f"《信访工作条例》（2022）{new_zh}" + (f"；《信访条例》（2005）{old_zh}" if old_zh else "")
    en = f"Regulations on Petition Work (2022) {new_en}" + (
        f"; Regulations on Letters and Visits (2005) {old_en}" if old_en else ""
    )
    return f"{zh} / {en}"


_REPLY_SOURCE = _source("第三十二条", "art. 32", "第三十三条", "art. 33")
_REVIEW_SOURCE = _source("第三十五条", "art. 35", "第三十四条", "art. 34")
_REEXAM_SOURCE = _source("第三十六条", "art. 36", "第三十五条", "art. 35")

LEGAL_DEFAULTS: dict[Step, Limit] = {
    Step.ACCEPTANCE: Limit(
        15, DayKind.CALENDAR, _source("第二十四条", "art. 24", "第二十一条、第二十二条", "arts. 21, 22")
    ),
    Step.REPLY: Limit(60, DayKind.CALENDAR, _REPLY_SOURCE),
    Step.EXTENSION: Limit(30, DayKind.CALENDAR, _REPLY_SOURCE),
    Step.MISROUTE_RETURN: Limit(5, DayKind.WORKING, _source("第二十五条", "art. 25")),
    Step.REVIEW_REQUEST: Limit(30, DayKind.CALENDAR, _REVIEW_SOURCE),
    Step.REVIEW_ANSWER: Limit(30, DayKind.CALENDAR, _REVIEW_SOURCE),
    Step.REEXAM_REQUEST: Limit(30, DayKind.CALENDAR, _REEXAM_SOURCE),
    Step.REEXAM_ANSWER: Limit(30, DayKind.CALENDAR, _REEXAM_SOURCE),
    # Not a legal rule: how long a citizen may rate a reply before the letter closes unrated.
    Step.EVALUATION_WINDOW: Limit(30, DayKind.CALENDAR, "产品规则（非法定期限） / product policy, not a legal rule"),
    # Not a legal rule either: how long the unit owing an overdue letter has to answer the automatic
    # supervision order the sweep raises (an inspector's own orders carry the date they set).
    Step.SUPERVISION_ANSWER: Limit(5, DayKind.WORKING, "产品规则（非法定期限） / product policy, not a legal rule"),
}

# Limits the authorities must meet: a mailbox may shorten them, never lengthen them.
AUTHORITY_STEPS = frozenset(
    {Step.ACCEPTANCE, Step.REPLY, Step.EXTENSION, Step.MISROUTE_RETURN, Step.REVIEW_ANSWER, Step.REEXAM_ANSWER}
)
# Windows the law grants the citizen: a mailbox may widen them, never narrow them.
CITIZEN_STEPS = frozenset({Step.REVIEW_REQUEST, Step.REEXAM_REQUEST})


def describe(days: int, day_kind: str) -> str:
    """``60日`` / ``5个工作日`` in the active language."""
    if day_kind == DayKind.WORKING:
        return ngettext("%(days)d个工作日", "%(days)d个工作日", days) % {"days": days}
    return ngettext("%(days)d日", "%(days)d日", days) % {"days": days}


def _ends_no_later(limit: Limit, law: Limit) -> bool:
    """True if ``limit`` never ends after ``law`` from the same start.

    N calendar days end no later than N working days, so a calendar override of a working-day law
    compares plainly. A working-day override of a calendar-day law is converted at 5 working days a
    week; holidays can still stretch it, so ``policies.due_date`` also caps it at the law's own date.
    """
    if limit.day_kind == law.day_kind or limit.day_kind == DayKind.CALENDAR:
        return limit.days <= law.days
    return limit.days * 7 <= law.days * 5


def _ends_no_earlier(limit: Limit, law: Limit) -> bool:
    """True if ``limit`` never ends before ``law``: N working days end no earlier than N calendar days."""
    if limit.day_kind == DayKind.CALENDAR and law.day_kind == DayKind.WORKING:
        return False
    return limit.days >= law.days


def law_problem(step: str, limit: Limit) -> str | None:
    """Why ``limit`` may not replace the legal limit of ``step``, or None if it may."""
    law = LEGAL_DEFAULTS[Step(step)]
    values = {"step": Step(step).label, "law": describe(law.days, law.day_kind), "source": law.source}
    if limit.days < 1:
        return _("时限至少为1天。")
    if step in AUTHORITY_STEPS and not _ends_no_later(limit, law):
        if limit.day_kind != law.day_kind:
            return _("“%(step)s”的时限不得长于法定的%(law)s（%(source)s）；工作日按每5个工作日折合7日计算。") % values
        return _("“%(step)s”的时限不得长于法定的%(law)s（%(source)s）。") % values
    if step in CITIZEN_STEPS and not _ends_no_earlier(limit, law):
        return _("“%(step)s”是信访人的权利，期限不得短于法定的%(law)s（%(source)s）。") % values
    return None
