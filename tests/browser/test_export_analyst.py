"""An analyst's long letter list in real Chromium (issue 19 §2): the export link on the statistics
letter list hands the list to the worker, "My exports" offers the file once it is made, and the
.xlsx, opened with openpyxl, holds the database's letters with the writers masked. After the
retention period the daily job deletes the file, and the row and the old link say it expired, in
Chinese and in English.

The worker's steps are called directly (its export task, its retention job with a later "now"):
moving the clock would also end the browser's staff session. Screenshots at 1280 px go to
test-output/screenshots/<test name>/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn
from tests.browser.test_statistics_analyst import download, in_march, rows_of
from tests.conftest import make_staff
from tests.statistics.conftest import MONTH, make_march
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.orgs.models import Mailbox, Unit
from xinfang.statistics import exports
from xinfang.statistics.models import ExportStatus, LetterExport
from xinfang.statistics.rollup import statistics_rollup
from xinfang.worker.retention import retention_sweep


def test_an_analyst_downloads_a_long_list_from_my_exports_until_it_expires(
    signed_in_page: SignedIn, live_server: LiveServer, citizen: User, gd_mailbox: Mailbox, acceptor: User,
    guangdong: Unit, tianhe: Unit, handler: User, leader: User, shot: Shot, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    make_march(citizen, gd_mailbox, acceptor, tianhe, handler, leader)
    analyst = make_staff("gd-analyst", guangdong, Role.ANALYST)
    statistics_rollup(settle=0)
    monkeypatch.setattr(exports, "INLINE_MAX", 0)  # every list is "long": the worker makes it
    base = live_server.url
    page = signed_in_page(analyst)

    # 1. March's letters of the whole province, and the export link on their list.
    page.goto(f"{base}/console/statistics/")
    page.get_by_label("期间").select_option("month")
    page.get_by_label("起始月份").fill(f"{MONTH:%Y-%m}")
    page.get_by_role("button", name="查询").click()
    page.locator(".stat-tabs").get_by_role("link", name="信件清单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信件清单")
    visible = in_march(analyst)
    expect(page.locator("table.letters tbody th")).to_have_count(len(visible))
    page.locator("p.help").get_by_role("link", name="导出 Excel").click()

    # 2. The list goes to the worker; "My exports" says so, and offers the file once it is made.
    expect(page.get_by_role("heading", level=1)).to_have_text("我的导出")
    expect(page.locator(".signin-messages")).to_contain_text(f"共 {len(visible)} 封信件，导出文件将在后台生成")
    row = page.locator("table.exports tbody tr").first
    expect(row).to_contain_text("生成中，请稍后刷新")
    shot(page, "01-my-exports-pending")
    job = LetterExport.objects.get(requested_by=analyst)
    assert exports.letter_export_make(export_id=job.pk) == f"{len(visible)} rows"  # the worker's task
    page.reload()
    expect(row).to_contain_text("已生成")
    shot(page, "02-my-exports-ready")

    # 3. The file against the database: the same letters, the writer masked, the unit in the header.
    saved = download(page, "下载 Excel", tmp_path, within="table.exports")
    letters = rows_of(saved)
    assert sorted(r[0] for r in letters) == sorted(letter.tracking_number for letter in visible)
    assert all(r[-1] == "张*" for r in letters)
    states = {letter.tracking_number: letter.get_state_display() for letter in visible}
    assert all(r[7] == states[r[0]] for r in letters)
    entry = AuditEntry.objects.get(kind=AuditKind.EXPORT, actor=analyst)
    assert (entry.data["what"], entry.data["unit"], entry.data["rows"]) == ("letters", guangdong.code, len(visible))

    # 4. The retention period passes (the worker's daily job): the file goes, the row says why.
    link = f"{base}{reverse('console:export_download', args=[job.public_id])}"
    later = timezone.now() + dt.timedelta(days=settings.XINFANG_EXPORT_RETENTION_DAYS, hours=1)
    assert retention_sweep(now=later)["exports_expired"] == 1
    assert LetterExport.objects.get(pk=job.pk).status == ExportStatus.EXPIRED
    page.reload()
    expect(row).to_contain_text("已过期")
    expect(row).to_contain_text("文件已删除，请重新导出清单。")
    expect(row.get_by_role("link", name="下载 Excel")).to_have_count(0)
    shot(page, "03-my-exports-expired")

    # 5. The old link (a bookmark, a forwarded message) says the same instead of failing.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的导出")
    expect(page.locator(".signin-messages")).to_contain_text("已过期删除")
    shot(page, "04-old-link-expired")
    english = signed_in_page(analyst, locale="en-US")
    english.goto(link)
    expect(english.locator(".signin-messages")).to_contain_text("this one has expired and was deleted")
    expect(english.locator("table.exports tbody tr").first).to_contain_text("Expired")
    shot(english, "05-old-link-expired-en")
