"""The periodic report of a unit (issue 19 §2): what it contains and how it is printed (PDF, .xlsx).

Contents, for the unit and its subtree in a month, quarter or year (docs/statistics.md, "Periodic
reports"): the figures (``figures.FIGURES``), the assessment ranking of the bureaus below it, the
hotspots (places, police types, accused units) and the *notable letters*. Every table is the same
``exports.Table`` the statistics pages export, so a report and a page never disagree.

Notable letters are the letters held in the subtree (taken in or handled there) that the unit's
own staff may open (``letters_visible_to``, recusal included) and that are, at the time of making:
overdue now; or under a supervision order issued in the period; or whose review or re-examination
answered in the period changed or revoked the reply. Writers appear masked only (张*).

The PDF layout is fixed here, not in a template file (domain apps hold no templates), as the
notices' is (``notices.rendering``): A4, Noto CJK fonts, HanaMin for rare characters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.accounts.selectors import writer_identity
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Letter, LetterEvent, LetterState, SupervisionOrder
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import unit_ids_under
from xinfang.statistics.exports import (
    Cell,
    Table,
    assessment_table,
    figures_table,
    hotspots_table,
    workbook_of,
)
from xinfang.statistics.figures import OVERTURNING
from xinfang.statistics.models import ReportPeriod
from xinfang.statistics.selectors import HOTSPOT_GROUPS, Period

NOTABLE_LIMIT = 200  # rows of the notable letters' table; the count above it is always the full one
REPORT_LANGUAGE = "zh-hans"  # an official document, in Chinese whatever the worker's language


@dataclass
class ReportContent:
    unit: Unit
    period: Period
    made_at: dt.datetime
    made_by: str
    tables: list[Table]
    notable: int  # how many notable letters (the table lists at most NOTABLE_LIMIT)

    @property
    def title(self) -> str:
        return _("%(unit)s信访工作%(kind)s（%(period)s）") % {
            "unit": self.unit.name,
            "kind": ReportPeriod(self.period.kind).label,
            "period": self.period.label,
        }


def _audience(unit: Unit) -> User:
    """A stand-in for the unit's own staff: what they may open is what the report may list."""
    return User(unit=unit, kind=User.Kind.STAFF, is_active=True)


def notable_letters(unit: Unit, period: Period) -> tuple[list[tuple[Letter, list[str]]], int]:
    """The notable letters (module docstring) with why each is notable, newest first, and their count."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    overdue = Q(state__in=sorted(LetterState.authority_clock_states()), current_due__lt=timezone.localdate())
    supervised = Exists(SupervisionOrder.objects.filter(letter=OuterRef("pk"), created_at__gte=start,
                                                        created_at__lt=end))  # fmt: skip
    overturned = Exists(
        LetterEvent.objects.filter(
            letter=OuterRef("pk"),
            action__in=("answer_review", "answer_reexam"),
            at__gte=start,
            at__lt=end,
            data__outcome__in=sorted(OVERTURNING),
        )
    )
    letters = letters_visible_to(_audience(unit))
    ids = unit_ids_under(unit)
    if ids is not None:
        letters = letters.filter(Q(intake_unit_id__any_of=ids) | Q(handling_unit_id__any_of=ids))
    letters = letters.annotate(is_overdue=Q(overdue), is_supervised=supervised, is_overturned=overturned).filter(
        Q(is_overdue=True) | Q(is_supervised=True) | Q(is_overturned=True)
    )
    count = letters.count()
    rows = letters.select_related("intake_unit", "handling_unit", "citizen__identity", "anonymous_caller").order_by(
        "-received_at", "-id"
    )[:NOTABLE_LIMIT]
    out: list[tuple[Letter, list[str]]] = []
    for letter in rows:
        reasons = [
            label
            for flag, label in (
                ("is_overdue", _("当前超期")),
                ("is_supervised", _("本期被督办")),
                ("is_overturned", _("本期复查或复核改变原答复")),
            )
            if getattr(letter, flag)
        ]
        out.append((letter, reasons))
    return out, count


def notable_table(unit: Unit, period: Period) -> tuple[Table, int]:
    letters, count = notable_letters(unit, period)
    headers = [_("信件编号"), _("接收日期"), _("标题"), _("状态"), _("受理单位"), _("承办单位"), _("当前期限"),
               _("重点原因"), _("信访人（已遮蔽）")]  # fmt: skip
    body: list[list[Cell]] = [
        [
            letter.tracking_number,
            timezone.localdate(letter.received_at).isoformat(),
            letter.subject,
            letter.get_state_display(),
            letter.intake_unit.name,
            letter.handling_unit.name if letter.handling_unit else "",
            letter.current_due.isoformat() if letter.current_due else "",
            "、".join(reasons),
            writer_identity(letter).masked_name,
        ]
        for letter, reasons in letters
    ]
    notes = [_("重点信件：当前超期、本期被督办，或本期复查、复核改变原答复的信件；只列本单位工作人员有权查看的信件。")]
    if count > len(body):
        notes.append(_("共 %(count)s 封，表中列出最近接收的 %(shown)s 封。") % {"count": count, "shown": len(body)})
    return Table("notable", _("重点信件"), headers, body, notes), count


def report_content(unit: Unit, period: Period, *, made_by: str, at: dt.datetime | None = None) -> ReportContent:
    """Everything the report holds, read from the rollups (and the notable letters), in Chinese."""
    with translation.override(REPORT_LANGUAGE):
        tables = [figures_table(unit, period), assessment_table(unit, period)]
        tables += [hotspots_table(unit, period, group) for group in HOTSPOT_GROUPS]
        notable, count = notable_table(unit, period)
        return ReportContent(unit, period, at or timezone.now(), made_by, [*tables, notable], count)


def report_xlsx(content: ReportContent) -> bytes:
    with translation.override(REPORT_LANGUAGE):
        return workbook_of(content.tables, unit=content.unit, period=content.period, made_by=content.made_by,
                           at=content.made_at)  # fmt: skip


FONT_STACK = '"Noto Sans CJK SC", "Noto Serif CJK SC", "HanaMinA", "HanaMinB", sans-serif'
ENGINE = Engine(loaders=[], autoescape=True, libraries={"i18n": "django.templatetags.i18n"})
LAYOUT = """{% load i18n %}<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ r.title }}</title>
<style>
@page { size: A4; margin: 18mm 14mm 18mm 14mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #444; } }
html { font-family: FONTS; font-size: 9pt; line-height: 1.45; color: #000; }
h1 { text-align: center; font-size: 16pt; margin: 0 0 3mm; }
.meta { text-align: center; margin: 0 0 5mm; color: #333; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; border-bottom: 0.6pt solid #000; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 0 0 2mm; }
th, td { border: 0.4pt solid #777; padding: 1mm 1.2mm; text-align: left; vertical-align: top; }
thead th { background: #eee; }
tr { page-break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; }
.notes { font-size: 8pt; color: #333; margin: 0 0 2mm; padding-left: 4mm; }
</style></head><body>
<h1>{{ r.title }}</h1>
<p class="meta">{{ r.unit.name }} · {{ r.period.start|date:"Y-m-d" }} – {{ r.period.end|date:"Y-m-d" }} ·
  {% translate "生成时间" %} {{ made_at|date:"Y-m-d H:i" }} · {{ r.made_by }}</p>
{% for t in tables %}
<section data-table="{{ t.what }}">
<h2>{{ t.title }}</h2>
<table>
  <thead><tr>{% for h in t.headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for row in t.cells %}<tr>{% for text, num in row %}
    <td{% if num %} class="num"{% endif %}>{{ text }}</td>{% endfor %}</tr>
  {% empty %}<tr><td colspan="{{ t.headers|length }}">{% translate "本期没有数据。" %}</td></tr>{% endfor %}
  </tbody>
</table>
{% if t.notes %}<ul class="notes">{% for note in t.notes %}<li>{{ note }}</li>{% endfor %}</ul>{% endif %}
</section>
{% endfor %}
</body></html>
""".replace("FONTS", FONT_STACK)


def _shown(cell: Cell) -> tuple[str, bool]:
    """A cell as printed, and whether it is a number (right-aligned): "—" for nothing counted."""
    if cell is None:
        return "—", True
    return str(cell), not isinstance(cell, str)


def report_html(content: ReportContent) -> str:
    with translation.override(REPORT_LANGUAGE):
        tables = [
            {**vars(table), "cells": [[_shown(cell) for cell in row] for row in table.rows]} for table in content.tables
        ]
        context = {"r": content, "tables": tables, "made_at": timezone.localtime(content.made_at)}
        return ENGINE.from_string(LAYOUT).render(Context(context))


def report_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes (A4)."""
    import weasyprint  # imported when first needed: it loads Pango and fonts

    pdf: bytes = weasyprint.HTML(string=report_html(content)).write_pdf()
    return pdf
