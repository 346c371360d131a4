"""An analyst's day in real Chromium (issue 19, "Done when"): the dashboard, the assessment, a drill-down
from a unit's row to its letters, and exports opened with openpyxl and checked against the database.

The Guangdong provincial department's analyst signs in (both factors), lands on the statistics dashboard
(the console's home sends analysts there), picks March 2026, reads the figures, opens the assessment,
drills down from Guangzhou's row to its letters, downloads the main figures and the letter list as
.xlsx, then asks for Guangzhou's March report and downloads its PDF. The rollups are counted by calling
the worker's job directly. Screenshots at 1280 px go to test-output/screenshots/<test name>/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn
from tests.conftest import make_staff
from tests.notices.pdfcheck import pdf_text
from tests.statistics.conftest import MONTH, make_march
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.selectors import unit_ids_under
from xinfang.statistics.exports import HEADER_ROWS
from xinfang.statistics.models import PeriodicReport
from xinfang.statistics.rollup import statistics_rollup
from xinfang.statistics.services import report_render


def in_march(analyst: User) -> list[Letter]:
    """The letters received in March 2026 that the analyst may open (the database's answer)."""
    zone = timezone.get_current_timezone()
    start, end = dt.datetime(2026, 3, 1, tzinfo=zone), dt.datetime(2026, 4, 1, tzinfo=zone)
    return list(letters_visible_to(analyst).filter(received_at__gte=start, received_at__lt=end))


def rows_of(path: Path) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROWS + 1, values_only=True):
        if not any(row):  # the notes follow a blank row
            break
        rows.append(row)
    return rows


def download(page: Page, link_name: str, folder: Path, *, within: str = "body") -> Path:
    with page.expect_download() as info:
        page.locator(within).get_by_role("link", name=link_name).first.click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def test_an_analyst_reads_the_figures_drills_down_and_exports(
    signed_in_page: SignedIn, live_server: LiveServer, citizen: User, gd_mailbox: Mailbox, acceptor: User,
    guangdong: Unit, guangzhou: Unit, tianhe: Unit, handler: User, leader: User, shot: Shot, tmp_path: Path,
) -> None:  # fmt: skip
    march = make_march(citizen, gd_mailbox, acceptor, tianhe, handler, leader)
    analyst = make_staff("gd-analyst", guangdong, Role.ANALYST)
    statistics_rollup(settle=0)  # what the worker does every five minutes
    base = live_server.url
    page = signed_in_page(analyst)

    # 1. The console's home opens on the dashboard; the analyst picks March 2026.
    page.goto(f"{base}/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("统计概览")
    assert page.url.startswith(f"{base}/console/statistics/")
    page.get_by_label("期间").select_option("month")
    page.get_by_label("起始月份").fill(f"{MONTH:%Y-%m}")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".statistics .help").first).to_contain_text("2026-03")
    visible = in_march(analyst)
    received = page.locator('tr[data-figure="received"] td.num')
    expect(received).to_have_text(str(len(visible)))
    expect(page.locator('tr[data-figure="refused"] td.num')).to_have_text(
        str(sum(letter.state == "not_accepted" for letter in visible))
    )
    expect(page.locator('tr[data-figure="satisfaction_pct"] td.num')).to_have_text("100.0%")
    expect(page.get_by_text("按期答复数 ÷ 答复数 × 100%").first).to_be_visible()  # the formulas are on the page
    shot(page, "01-dashboard-march")

    # 2. The main figures as .xlsx, against the database.
    figures = dict(row[:2] for row in rows_of(download(page, "导出 Excel", tmp_path, within="section:has(#headline)")))
    assert figures["收信数"] == len(visible)
    assert figures["受理数"] == 1 and figures["答复数"] == 1 and figures["满意率"] == 100.0

    # 3. The assessment: the formulas, the ranking; Guangzhou's row leads to its letters.
    page.get_by_role("link", name="下级单位考核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("下级单位考核")
    expect(page.get_by_text("综合得分 = Σ")).to_be_visible()
    row = page.locator(f'tr[data-unit="{guangzhou.code}"]')
    expect(row.locator("td.num").first).to_have_text("1")
    shot(page, "02-assessment")
    row.get_by_role("link", name=guangzhou.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信件清单")
    expect(page.locator(".stat-filters select[name=unit]")).to_have_value(str(guangzhou.pk))
    ids = unit_ids_under(guangzhou) or []
    expected = {
        letter.tracking_number
        for letter in letters_visible_to(analyst).filter(Q(intake_unit_id__in=ids) | Q(handling_unit_id__in=ids))
        if letter in visible
    }
    assert expected == {march.replied.tracking_number}  # refused at the provincial desk: never in Guangzhou
    listed = page.locator("table.letters tbody th")
    expect(listed).to_have_text(sorted(expected))
    shot(page, "03-drilldown-guangzhou")

    # 4. The letter list as .xlsx: the same letters, the writer masked; every export is an audit entry.
    letters = rows_of(download(page, "导出 Excel", tmp_path))
    assert {row[0] for row in letters} == expected
    assert all(row[-1] == "张*" for row in letters)
    exports = AuditEntry.objects.filter(kind=AuditKind.EXPORT, actor=analyst).order_by("id")
    assert [(e.data["what"], e.data["unit"], e.data["rows"]) for e in exports] == [
        ("figures", guangdong.code, 19),
        ("letters", guangzhou.code, len(expected)),
    ]
    page.get_by_role("link", name=expected.pop()).click()  # and the letter itself opens
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, "04-letter")

    # 5. Guangzhou's March report on request: the worker makes it (its job's render, called here), the page
    # then offers the PDF and the spreadsheet.
    page.go_back()
    page.get_by_role("link", name="定期报告").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("定期报告")
    page.get_by_role("button", name=f"生成{guangzhou.name} 2026-03 的报告").click()
    expect(page.get_by_text("生成中，请稍后刷新")).to_be_visible()
    assert report_render(PeriodicReport.objects.get(unit=guangzhou, start=MONTH))
    page.reload()
    shot(page, "05-reports")
    pdf = download(page, "下载 PDF", tmp_path, within="table.reports").read_bytes()
    assert f"{guangzhou.name}信访工作月报（2026-03）" in pdf_text(pdf)
    assert AuditEntry.objects.filter(actor=analyst, kind=AuditKind.EXPORT, data__what="report:pdf").count() == 1
