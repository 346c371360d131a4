"""A large export stays downloadable for XINFANG_EXPORT_RETENTION_DAYS; then the daily retention job
deletes its file and "My exports" and the old link say it expired (the audit entry stays)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from tests.console.conftest import sign_in
from tests.statistics.conftest import Month
from tests.statistics.test_list_exports import sheet_of
from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.console.selectors_desk import desk_queue
from xinfang.statistics import exports
from xinfang.statistics.exports import HEADER_ROWS, ListExport
from xinfang.statistics.models import ExportStatus, LetterExport
from xinfang.worker.retention import retention_sweep

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
MADE = dt.datetime(2026, 4, 1, 9, 0, tzinfo=TZ)
PERIOD = dt.timedelta(days=settings.XINFANG_EXPORT_RETENTION_DAYS)
DAYS = settings.XINFANG_EXPORT_RETENTION_DAYS
EXPIRED = f"导出文件只保存 {DAYS} 天，已过期删除；如仍需要，请重新导出该清单。"  # at the old link
EXPIRED_ROW = "文件已删除，请重新导出清单。"  # in its row of "My exports"


@pytest.fixture
def made(march: Month, acceptor: User, monkeypatch: pytest.MonkeyPatch) -> LetterExport:
    """The desk's list as the worker made it at MADE (any list goes to the worker here)."""
    monkeypatch.setattr(exports, "INLINE_MAX", 0)
    spec = ListExport("list:desk", "受理台待办信件", "广东省公安厅", "当前清单", {})
    with time_machine.travel(MADE, tick=False):
        job = exports.letters_export(viewer=acceptor, letters=desk_queue(acceptor), spec=spec).job
        assert job is not None
        exports.letter_export_make(export_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.READY and default_storage.exists(job.file.name)
    return job


def link(job: LetterExport) -> str:
    return reverse("console:export_download", args=[job.public_id])


def test_an_export_is_downloadable_until_its_period_ends_then_its_file_goes(made: LetterExport, acceptor: User) -> None:
    name = made.file.name
    with time_machine.travel(MADE + PERIOD - dt.timedelta(hours=1)):
        assert retention_sweep()["exports_expired"] == 0
        response = sign_in(Client(), acceptor).get(link(made))
        assert response.status_code == 200
        assert [r[0] for r in sheet_of(b"".join(response.streaming_content))[HEADER_ROWS:]] == [
            letter.tracking_number for letter in desk_queue(acceptor)
        ]
    assert default_storage.exists(name)

    with time_machine.travel(MADE + PERIOD + dt.timedelta(hours=1)):
        assert retention_sweep()["exports_expired"] == 1
        client = sign_in(Client(), acceptor)
        page = client.get(reverse("console:exports")).content.decode()
        followed = client.get(link(made), follow=True)

    made.refresh_from_db()
    assert (made.status, made.file.name, made.rows) == (ExportStatus.EXPIRED, "", 1)
    assert not default_storage.exists(name)
    assert "已过期" in page and EXPIRED_ROW in page and link(made) not in page
    assert followed.redirect_chain == [(reverse("console:exports"), 302)]
    assert EXPIRED in followed.content.decode()
    entry = AuditEntry.objects.get(kind=AuditKind.EXPORT, actor=acceptor)  # the record of the export stays
    assert (entry.data["what"], entry.data["rows"]) == ("list:desk", 1)


def test_the_expired_link_says_so_in_english(made: LetterExport, acceptor: User) -> None:
    with time_machine.travel(MADE + PERIOD + dt.timedelta(days=1)):
        retention_sweep()
        response = sign_in(Client(), acceptor).get(link(made), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert f"Export files are kept for {DAYS} days: this one has expired and was deleted." in body
    assert "Expired" in body and "The file was deleted: export the list again." in body


def test_a_file_left_by_a_run_that_died_half_way_goes_on_the_next_run(made: LetterExport) -> None:
    """Marked expired, then the run died before deleting the file: the next run deletes it."""
    LetterExport.objects.filter(pk=made.pk).update(status=ExportStatus.EXPIRED)
    assert exports.exports_expire() == 0
    assert not default_storage.exists(made.file.name)
    assert LetterExport.objects.get(pk=made.pk).file.name == ""
