"""The periodic reports (issue 19 §2): made by the worker after each period and on request, listed and
downloaded within the viewer's subtree only, their spreadsheet equal to the figures, their PDF readable."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tests.console.conftest import sign_in
from tests.factories import at
from tests.notices.pdfcheck import glyph_coverage, page_one_png, pdf_text
from tests.statistics.conftest import MONTH, Month
from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.orgs.models import Unit
from xinfang.statistics import selectors
from xinfang.statistics.exports import HEADER_ROWS
from xinfang.statistics.figures import FIGURES, INDICATORS
from xinfang.statistics.models import PeriodicReport, ReportOrigin, ReportStatus
from xinfang.statistics.rollup import statistics_rollup
from xinfang.statistics.services import report_render, reports_make, reports_schedule

pytestmark = pytest.mark.django_db
MARCH = selectors.month_period("month", MONTH, 1)
APRIL_2 = dt.date(2026, 4, 2)


def month_end_run(unit: Unit) -> PeriodicReport:
    """The worker on 2 April: the rollups counted, the reports scheduled, ``unit``'s March report made
    (the job would make all of them: tests/statistics/test_reports.py's first test)."""
    with at(APRIL_2):
        statistics_rollup(settle=0)
        reports_schedule()
        report = monthly(unit)
        assert report_render(report)
    report.refresh_from_db()
    return report


def monthly(unit: Unit) -> PeriodicReport:
    return PeriodicReport.objects.get(unit=unit, period="month", start=MONTH, origin=ReportOrigin.SCHEDULED)


def client_of(user: User) -> Client:
    return sign_in(Client(), user)


def download(user: User, report: PeriodicReport, fmt: str) -> object:
    return client_of(user).get(reverse("console:statistics_report_download", args=[report.public_id, fmt]))


def test_the_worker_makes_the_reports_of_the_periods_just_ended(march: Month, gd_analyst: User, sz_analyst: User,
                                                                guangdong: Unit, shenzhen: Unit,
                                                                tianhe: Unit) -> None:  # fmt: skip
    with at(dt.date(2026, 3, 31)):  # March has not ended: February's, the last quarter's and 2025's
        statistics_rollup(settle=0)
        assert reports_make() == {"scheduled": 9, "rendered": 9, "failed": 0}
    assert not PeriodicReport.objects.filter(start=MONTH).exists()
    with at(APRIL_2):
        statistics_rollup(settle=0)
        made = reports_make()
    # March and the first quarter, for each bureau with statistics users (2025's was made on 31 March):
    # Guangdong's and Shenzhen's analysts, and Tianhe's leader.
    assert made == {"scheduled": 6, "rendered": 6, "failed": 0}
    on_april_2 = PeriodicReport.objects.filter(created_at__gte=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    assert set(on_april_2.values_list("unit", "period", "start")) == {
        (unit.pk, kind, start)
        for unit in (guangdong, shenzhen, tianhe)
        for kind, start in (("month", MONTH), ("quarter", dt.date(2026, 1, 1)))
    }
    report = monthly(guangdong)
    assert report.status == ReportStatus.READY and report.pdf and report.xlsx
    with at(APRIL_2 + dt.timedelta(days=1)):  # the next run finds nothing to do
        assert reports_make() == {"scheduled": 0, "rendered": 0, "failed": 0}


def test_the_spreadsheet_holds_the_figures_ranking_hotspots_and_notable_letters(
    march: Month, gd_analyst: User, guangdong: Unit, guangzhou: Unit
) -> None:
    report = month_end_run(guangdong)
    response = download(gd_analyst, report, "xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "统计指标",
        "下级单位考核排名",
        "热点：事发地",
        "热点：警种",
        "热点：被反映单位",
        "重点信件",
    ]

    def body(name: str) -> list[tuple[object, ...]]:
        sheet = book[name]
        assert sheet["B2"].value == guangdong.name and "2026-03" in sheet["B3"].value
        rows = []
        for row in sheet.iter_rows(min_row=HEADER_ROWS + 1, values_only=True):
            if not any(row):  # the notes follow a blank row
                break
            rows.append(row)
        return rows

    with at(APRIL_2):
        totals = selectors.figures(guangdong, MARCH)[None]
    figures = {row[0]: row[1] for row in body("统计指标")}
    assert figures == {str(f.label): f.compute(totals) for f in FIGURES}
    assert figures["收信数"] == 3 and figures["不予受理数"] == 1 and figures["满意率"] == 100.0
    ranking = body("下级单位考核排名")
    first = ranking[0]
    assert first[:2] == (1, guangzhou.name)
    assert first[2 + [i.name for i in INDICATORS].index("satisfaction")] == 100.0
    places = [row[1] for row in body("热点：事发地")]
    assert "天河区（440106）" in places
    notable = body("重点信件")
    # The letter still waiting for the desk's decision is overdue by 2 April; the writer stays masked.
    listed = {row[0]: row for row in notable}
    assert set(listed) == {march.open.tracking_number}
    assert listed[march.open.tracking_number][7] == "当前超期" and listed[march.open.tracking_number][8] == "张*"
    assert monthly(guangdong).notable == 1


def test_the_pdf_reads_as_the_report(march: Month, gd_analyst: User, guangdong: Unit, guangzhou: Unit) -> None:
    response = download(gd_analyst, month_end_run(guangdong), "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    pdf = b"".join(response.streaming_content)
    text = pdf_text(pdf)
    for words in (f"{guangdong.name}信访工作月报（2026-03）", "下级单位考核排名", "热点：事发地", "重点信件",
                  "按期答复数 ÷ 答复数", guangzhou.name, march.open.tracking_number, "张*"):  # fmt: skip
        assert words in text, words
    assert "张三" not in text  # never the writer's name
    assert all(glyph_coverage(pdf, "广东省公安厅信访工作月报重点信件").values())
    assert page_one_png(pdf, "statistics-reports", "monthly-guangdong").exists()


def test_a_shenzhen_analyst_cannot_get_guangzhous_report(march: Month, gd_analyst: User, sz_analyst: User,
                                                         guangzhou: Unit, shenzhen: Unit) -> None:  # fmt: skip
    shenzhen_report = month_end_run(shenzhen)
    query = urlencode({"unit": guangzhou.pk, "period": "month", "start": "2026-03"})
    page = client_of(gd_analyst).post(reverse("console:statistics_reports") + "?" + query)
    assert page.status_code == 302
    guangzhou_report = PeriodicReport.objects.get(unit=guangzhou, origin=ReportOrigin.REQUESTED)
    with at(APRIL_2):
        assert report_render(guangzhou_report)
    guangzhou_report.refresh_from_db()
    assert guangzhou_report.status == ReportStatus.READY and guangzhou_report.requested_by == gd_analyst
    # Shenzhen's analyst asking for Guangzhou's list gets Shenzhen's, and the files are not found.
    listing = client_of(sz_analyst).get(reverse("console:statistics_reports") + "?" + query).content.decode()
    assert str(guangzhou_report.public_id) not in listing and str(shenzhen_report.public_id) in listing
    for fmt in ("pdf", "xlsx"):
        assert download(sz_analyst, guangzhou_report, fmt).status_code == 404
    assert not AuditEntry.objects.filter(actor=sz_analyst, kind=AuditKind.EXPORT).exists()
    # Guangdong's analyst, above Guangzhou, lists and downloads it; each download is an audit entry.
    listing = client_of(gd_analyst).get(reverse("console:statistics_reports") + "?" + query).content.decode()
    assert str(guangzhou_report.public_id) in listing
    assert download(gd_analyst, guangzhou_report, "pdf").status_code == 200
    entry = AuditEntry.objects.get(actor=gd_analyst, kind=AuditKind.EXPORT)
    assert entry.data["what"] == "report:pdf" and entry.data["unit"] == guangzhou.code


def test_staff_without_a_statistics_role_are_refused(march: Month, gd_analyst: User, handler: User,
                                                     guangdong: Unit) -> None:  # fmt: skip
    report = month_end_run(guangdong)
    assert client_of(handler).get(reverse("console:statistics_reports")).status_code == 403
    assert download(handler, report, "pdf").status_code == 403


def test_a_request_waits_for_the_worker_and_a_custom_period_is_refused(march: Month, gd_analyst: User,
                                                                      guangdong: Unit) -> None:  # fmt: skip
    client = client_of(gd_analyst)
    url = reverse("console:statistics_reports")
    with at(APRIL_2):
        client.post(url + "?" + urlencode({"period": "quarter", "start": "2026-01"}))
        client.post(url + "?" + urlencode({"period": "quarter", "start": "2026-01"}))  # a second click: one request
        page = client.get(url + "?" + urlencode({"period": "quarter", "start": "2026-01"})).content.decode()
    report = PeriodicReport.objects.get()
    assert (report.period, report.start, report.end) == ("quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert "生成中，请稍后刷新" in page and "下载 PDF" not in page
    refused = client.post(url + "?" + urlencode({"period": "custom", "from": "2026-03-01", "to": "2026-03-10"}),
                          follow=True).content.decode()  # fmt: skip
    assert "定期报告只有月报、季报和年报。" in refused and PeriodicReport.objects.count() == 1
    with at(APRIL_2):
        assert report_render(report)
        page = client.get(url + "?" + urlencode({"period": "quarter", "start": "2026-01"})).content.decode()
    assert "下载 PDF" in page and "下载 Excel" in page
