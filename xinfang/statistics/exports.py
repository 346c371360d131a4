"""Spreadsheets (.xlsx, openpyxl) of the statistics tables and of the drill-down letter list.

Each sheet opens with the unit, the period, the export time and who exported; every export is an
audit entry (kind ``export``: what, the filter, how many rows). Writers appear only masked
(``accounts.selectors.writer_identity(...).masked_name``); nothing else about them is exported.
Built in memory: a letter list is capped at :data:`MAX_LETTERS` rows (the page says so); streaming
or a worker job for bigger exports is not built yet.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from xinfang.accounts.models import User
from xinfang.accounts.selectors import writer_identity
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.orgs.models import Unit
from xinfang.statistics import selectors
from xinfang.statistics.figures import FIGURES, INDICATORS, SCORE_FORMULA, Figure, Totals
from xinfang.statistics.selectors import GROUPINGS, HOTSPOT_GROUPS, Period

MAX_LETTERS = 20_000
Cell = str | int | float | None


@dataclass
class Table:
    what: str  # e.g. "figures", "breakdown:police_type", "assessment", "hotspots:place", "letters"
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    notes: list[str]


def _value(figure: Figure, totals: Totals) -> Cell:
    return figure.compute(totals)


def figures_table(unit: Unit, period: Period) -> Table:
    totals = selectors.figures(unit, period).get(None, Totals())
    rows: list[list[Cell]] = [[str(f.label), _value(f, totals), str(f.formula), str(f.counted_on)] for f in FIGURES]
    return Table("figures", _("统计指标"), [_("指标"), _("数值"), _("计算公式"), _("统计口径")], rows, [])


def breakdown_table(unit: Unit, period: Period, group: str) -> Table:
    rows = selectors.breakdown(unit, period, group)
    shown = [f for f in FIGURES if not f.needs_histogram or group == "region"]
    body = [[row.name, *[_value(f, row.totals) for f in shown]] for row in rows]
    notes = [f"{f.label}: {f.formula}" for f in shown]
    return Table(f"breakdown:{group}", str(GROUPINGS[group]), [_("分组"), *[str(f.label) for f in shown]], body, notes)


def assessment_table(unit: Unit, period: Period) -> Table:
    assessed = selectors.assessment(unit, period)
    headers = [_("排名"), _("单位"), *[str(i.label) for i in INDICATORS], _("综合得分"), _("收信数"), _("答复数")]
    body: list[list[Cell]] = [
        [a.rank, a.row.name, *[a.rates[i.name] for i in INDICATORS], a.score, a.row.totals["received"],
         a.row.totals["replied"]]
        for a in assessed
    ]  # fmt: skip
    notes = [f"{i.label}: {i.formula}" for i in INDICATORS] + [str(SCORE_FORMULA)]
    return Table("assessment", _("下级单位考核排名"), headers, body, notes)


def hotspots_table(unit: Unit, period: Period, group: str) -> Table:
    most, growing = selectors.hotspots(unit, period, group)
    headers = [_("类别"), str(HOTSPOT_GROUPS[group]), _("本期收信数"), _("上期收信数"), _("增长"), _("增长率（%）")]
    body: list[list[Cell]] = []
    for label, spots in ((_("最多"), most), (_("增长最快"), growing)):
        body += [[label, s.name, s.current, s.previous, s.growth, s.growth_pct] for s in spots]
    return Table(f"hotspots:{group}", _("热点：%(group)s") % {"group": HOTSPOT_GROUPS[group]}, headers, body,
                 [_("上期为紧接本期之前、长度相同的期间。")])  # fmt: skip


def letters_table(viewer: User, unit: Unit, period: Period) -> Table:
    letters = list(
        selectors.drilldown_letters(viewer, unit, period).select_related("citizen__identity", "anonymous_caller")[
            :MAX_LETTERS
        ]
    )
    headers = [_("信件编号"), _("接收时间"), _("信箱"), _("类型"), _("渠道"), _("警种"), _("标题"), _("状态"),
               _("受理单位"), _("承办单位"), _("当前期限"), _("信访人（已遮蔽）")]  # fmt: skip
    local = timezone.get_current_timezone()
    body: list[list[Cell]] = [
        [
            letter.tracking_number,
            letter.received_at.astimezone(local).strftime("%Y-%m-%d %H:%M"),
            letter.mailbox.name,
            letter.get_letter_type_display(),
            letter.get_channel_display(),
            letter.get_police_type_display() if letter.police_type else "",
            letter.subject,
            letter.get_state_display(),
            letter.intake_unit.name,
            letter.handling_unit.name if letter.handling_unit else "",
            letter.current_due.isoformat() if letter.current_due else "",
            writer_identity(letter).masked_name,
        ]
        for letter in letters
    ]
    notes = [_("最多导出 %(n)s 封。") % {"n": MAX_LETTERS}] if len(letters) == MAX_LETTERS else []
    return Table("letters", _("信件清单"), headers, body, notes)


def table_for(what: str, viewer: User, unit: Unit, period: Period) -> Table | None:
    """The table ``what`` names, or None for a name that is not an export."""
    kind, _sep, group = what.partition(":")
    if kind == "figures":
        return figures_table(unit, period)
    if kind == "breakdown" and group in GROUPINGS:
        return breakdown_table(unit, period, group)
    if kind == "assessment":
        return assessment_table(unit, period)
    if kind == "hotspots" and group in HOTSPOT_GROUPS:
        return hotspots_table(unit, period, group)
    if kind == "letters":
        return letters_table(viewer, unit, period)
    return None


def workbook_bytes(table: Table, *, unit: Unit, period: Period, actor: User, at: dt.datetime) -> bytes:
    return workbook_of([table], unit=unit, period=period, made_by=actor.get_full_name() or actor.username, at=at)


def workbook_of(tables: Sequence[Table], *, unit: Unit, period: Period, made_by: str, at: dt.datetime) -> bytes:
    """One sheet per table, each opening with the unit, the period, the time and who made it."""
    book = Workbook()
    for index, table in enumerate(tables):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        _fill(sheet, table, unit=unit, period=period, made_by=made_by, at=at)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Worksheet, table: Table, *, unit: Unit, period: Period, made_by: str, at: dt.datetime) -> None:
    sheet.title = table.title[:31].replace(":", " ").replace("/", " ")
    bold = Font(bold=True)
    header: Sequence[tuple[str, str]] = (
        (_("单位"), unit.name),
        (_("期间"), f"{period.label}（{period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}）"),
        (_("导出时间"), timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")),
        (_("导出人"), made_by),
    )
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in header:
        sheet.append([label, value])
    sheet.append([])
    sheet.append(table.headers)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in table.rows:
        sheet.append(list(row))
    if table.notes:
        sheet.append([])
        sheet.append([_("说明")])
        for note in table.notes:
            sheet.append([note])


HEADER_ROWS = 7  # title, four header lines, a blank line, the column headers: data starts on row 8


def export(what: str, *, viewer: User, unit: Unit, period: Period) -> tuple[Table, bytes] | None:
    """Build the spreadsheet of ``what`` and record the export in the audit log (one transaction)."""
    table = table_for(what, viewer, unit, period)
    if table is None:
        return None
    now = timezone.now()
    data = workbook_bytes(table, unit=unit, period=period, actor=viewer, at=now)
    with transaction.atomic():
        audit_record(
            kind=AuditKind.EXPORT,
            actor=viewer,
            subject=("statistics", unit.code),
            data={"what": what, "unit": unit.code, "period": [period.start, period.end], "rows": len(table.rows)},
        )
    return table, data
