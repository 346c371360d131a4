"""Spreadsheets (.xlsx, openpyxl) of the statistics tables and of every staff letter list.

Each sheet opens with the unit, the period, the export time and who exported; every export is an
audit entry (kind ``export``: what, the filter, how many rows). Writers appear only masked
(``accounts.selectors.writer_identity(...).masked_name``); nothing else about them is exported.

Letter lists (the console's lists and the statistics drill-down) all leave through
:func:`letters_export`: only the letters the viewer may see (``letters.access.letters_visible_to``),
written row by row (openpyxl's write-only mode). Up to :data:`INLINE_MAX` letters the file is the
answer to the request; a longer list becomes a ``LetterExport`` that the worker makes
(:func:`letter_export_make`, checking each letter again against what the requester may see then),
downloadable by the requester only, for ``XINFANG_EXPORT_RETENTION_DAYS`` (:func:`exports_expire`,
run by the worker's daily retention job).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from xinfang.accounts.models import User
from xinfang.accounts.selectors import writer_identity
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Letter
from xinfang.orgs.models import Unit
from xinfang.statistics import selectors
from xinfang.statistics.figures import FIGURES, INDICATORS, SCORE_FORMULA, Figure, Totals
from xinfang.statistics.models import ExportStatus, LetterExport
from xinfang.statistics.selectors import GROUPINGS, HOTSPOT_GROUPS, Period

INLINE_MAX = 2_000  # a letter list longer than this is made by the worker
CHUNK = 1_000  # letters read per query while writing a list
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


def letter_headers() -> list[str]:
    return [_("信件编号"), _("接收时间"), _("信箱"), _("类型"), _("渠道"), _("警种"), _("标题"), _("状态"),
            _("受理单位"), _("承办单位"), _("当前期限"), _("信访人（已遮蔽）")]  # fmt: skip


def letter_row(letter: Letter) -> list[Cell]:
    """One letter in a list export; the writer only masked."""
    local = timezone.get_current_timezone()
    return [
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


def _for_rows(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    return letters.select_related("mailbox", "intake_unit", "handling_unit", "citizen__identity", "anonymous_caller")


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


def period_text(period: Period) -> str:
    dates = {"label": period.label, "start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"}
    return pgettext("a period and its dates", "%(label)s（%(start)s – %(end)s）") % dates


def _header(unit_name: str, period: str, at: dt.datetime, made_by: str) -> Sequence[tuple[str, str]]:
    """The lines under a sheet's title (:data:`HEADER_ROWS` counts them)."""
    return (
        (_("单位"), unit_name),
        (_("期间"), period),
        (_("导出时间"), timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")),
        (_("导出人"), made_by),
    )


def _sheet_title(title: str) -> str:
    return title[:31].replace(":", " ").replace("/", " ")


def _fill(sheet: Worksheet, table: Table, *, unit: Unit, period: Period, made_by: str, at: dt.datetime) -> None:
    sheet.title = _sheet_title(table.title)
    bold = Font(bold=True)
    header = _header(unit.name, period_text(period), at, made_by)
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


# ---------------------------------------------------------------- letter lists


@dataclass(frozen=True)
class ListExport:
    """A letter list to export: its name (``what``, e.g. "list:work"), title and header, and the
    filter as asked (recorded in the audit entry; free text only by its length)."""

    what: str
    title: str
    unit_name: str
    period: str
    filters: dict[str, str]
    unit_code: str = ""  # the unit the list is of, recorded in the audit entry

    def heading(self) -> str:
        shown = "；".join(f"{k}={v}" for k, v in sorted(self.filters.items()))
        return f"{self.title}（{_('筛选')}：{shown}）" if shown else self.title


@dataclass
class Exported:
    rows: int
    data: bytes | None = None  # the file, when made at once
    job: LetterExport | None = None  # or the worker's job


def _made_by(user: User) -> str:
    return user.get_full_name() or user.username


def _write_list(out: Any, spec: ListExport, rows: Iterable[list[Cell]], *, made_by: str, at: dt.datetime) -> int:
    """Write a letter list (write-only: rows go to the file as they come) and return how many."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(spec.title))
    title = WriteOnlyCell(sheet, value=spec.heading())
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    for label, value in _header(spec.unit_name, spec.period, at, made_by):
        sheet.append([label, value])
    sheet.append([])
    bold = Font(bold=True)
    headers = []
    for name in letter_headers():
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        headers.append(cell)
    sheet.append(headers)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    book.save(out)
    return count


def _rows_of(viewer: User, ids: list[int]) -> Iterator[list[Cell]]:
    """The rows of these letters in this order, leaving out any ``viewer`` may not see (now)."""
    visible = letters_visible_to(viewer)
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first : first + CHUNK]
        found = {letter.pk: letter for letter in _for_rows(visible.filter(pk__in=chunk))}
        for pk in chunk:
            if pk in found:
                yield letter_row(found[pk])


def _audit(viewer: User, spec: ListExport, rows: int) -> None:
    audit_record(kind=AuditKind.EXPORT, actor=viewer, subject=("letters", spec.what),
                 data={"what": spec.what, "unit": spec.unit_code, "filter": spec.filters, "rows": rows})  # fmt: skip


def letters_export(*, viewer: User, letters: QuerySet[Letter], spec: ListExport) -> Exported:
    """Export the letters of a list, as far as ``viewer`` may see them.

    1. Keep the list's order, and only the letters ``viewer`` may see (``letters_visible_to``).
    2. Up to :data:`INLINE_MAX` letters: write the file now and record the export.
    3. More: queue a ``LetterExport`` for the worker (the ids chosen now, checked again when made);
       the export is recorded when the file is made."""
    visible = letters.filter(pk__in=letters_visible_to(viewer).values("pk"))
    ids = list(dict.fromkeys(visible.values_list("pk", flat=True)))  # a join in the list's order may repeat one
    now = timezone.now()
    if len(ids) <= INLINE_MAX:
        out = io.BytesIO()
        rows = _write_list(out, spec, _rows_of(viewer, ids), made_by=_made_by(viewer), at=now)
        with transaction.atomic():
            _audit(viewer, spec, rows)
        return Exported(rows, data=out.getvalue())
    from xinfang.statistics import tasks

    with transaction.atomic():
        job = LetterExport.objects.create(
            requested_by=viewer, what=spec.what, title=spec.title, filters=spec.filters, letter_ids=ids,
            header={"unit": spec.unit_name, "unit_code": spec.unit_code, "period": spec.period}, created_at=now,
        )  # fmt: skip
        tasks.letter_export_make.enqueue(job.pk)
    return Exported(len(ids), job=job)


def letter_export_make(*, export_id: int) -> str:
    """The worker's half of a large export: write the file, mark it ready, record the export."""
    job = LetterExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if job is None or job.status != ExportStatus.PENDING:
        return "nothing to do"
    viewer = job.requested_by
    spec = ListExport(
        job.what, job.title, job.header.get("unit", ""), job.header.get("period", ""), job.filters,
        job.header.get("unit_code", ""),
    )  # fmt: skip
    try:
        with tempfile.TemporaryFile() as out:
            rows = _write_list(out, spec, _rows_of(viewer, job.letter_ids), made_by=_made_by(viewer), at=job.created_at)
            out.seek(0)
            name = default_storage.save(f"exports/{job.created_at:%Y/%m}/{job.public_id}.xlsx", File(out))
    except Exception as error:  # a failed export is shown to the requester, not retried forever
        LetterExport.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=repr(error)[:2000])
        return "failed"
    with transaction.atomic():
        moved = LetterExport.objects.filter(pk=job.pk, status=ExportStatus.PENDING).update(
            status=ExportStatus.READY, file=name, rows=rows, ready_at=timezone.now(), letter_ids=[]
        )
        if moved:
            _audit(viewer, spec, rows)
    return f"{rows} rows"


def exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports made more than ``XINFANG_EXPORT_RETENTION_DAYS`` ago; returns how many.

    1. Each ready export past the period becomes expired with a conditional update, so a download
       that starts from now on is told it expired; its row and the audit entry of the export stay.
    2. Then the file is deleted and forgotten. An expired row that still names a file (a run that
       died between the two steps) has it deleted on the next run.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.XINFANG_EXPORT_RETENTION_DAYS)
    expired = LetterExport.objects.filter(status=ExportStatus.READY, ready_at__lt=cutoff).update(
        status=ExportStatus.EXPIRED
    )
    for pk, name in LetterExport.objects.filter(status=ExportStatus.EXPIRED).exclude(file="").values_list("pk", "file"):
        default_storage.delete(name)
        LetterExport.objects.filter(pk=pk).update(file="")
    return expired


def expired_note(*, brief: bool = False) -> str:
    """What the requester reads of an expired export: ``brief`` in its row of "My exports" (a long
    cell would squeeze the table's other columns), in full at its old download link."""
    if brief:
        return _("文件已删除，请重新导出清单。")
    return _("导出文件只保存 %(days)s 天，已过期删除；如仍需要，请重新导出该清单。") % {
        "days": settings.XINFANG_EXPORT_RETENTION_DAYS
    }


def exports_of(user: User) -> QuerySet[LetterExport]:
    return LetterExport.objects.filter(requested_by=user)


def export_for(user: User, public_id: str) -> LetterExport | None:
    """``user``'s own export in whatever state, else None (nobody else's, whatever their role)."""
    return LetterExport.objects.filter(public_id=public_id, requested_by=user).first()
