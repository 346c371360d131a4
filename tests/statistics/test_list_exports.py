"""Every staff letter list exports to .xlsx through one path: what the viewer may see, writers masked,
each export audited; a long list is made by the worker and downloaded by the requester only."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import handled_letter, receive
from tests.notifications.conftest import drain
from tests.statistics.conftest import Month
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.console import selectors_work as sel
from xinfang.console.selectors_desk import desk_queue
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.statistics import exports
from xinfang.statistics.exports import HEADER_ROWS, ListExport
from xinfang.statistics.models import ExportStatus, LetterExport

pytestmark = pytest.mark.django_db
WRITER = ("张三", "13800138000", "11010519491231002X", "体育西路")  # the march letters' writer, in clear


def export(user: User, name: str, query: str = "") -> Any:
    return sign_in(Client(), user).get(reverse("console:letters_export", args=[name]) + query)


def sheet_of(content: bytes) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]


def test_the_work_list_exports_what_the_page_lists(
    march: Month, handler: User, tianhe: Unit, citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    for _ in range(2):  # two letters in hand at Tianhe (March's reply is done)
        handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler)
    response = export(handler, "work")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = sheet_of(response.content)
    assert rows[1][1] == tianhe.name and rows[2][1] and rows[3][1]  # unit, period, export time
    listed = [letter.tracking_number for letter in sel.work_queue(handler, sel.WorkFilters())]
    data = rows[HEADER_ROWS:]
    assert len(listed) == 2 and [r[0] for r in data] == listed
    letter = Letter.objects.get(tracking_number=listed[0])
    assert data[0][7] == letter.get_state_display() and data[0][-1] == "张*"
    entry = AuditEntry.objects.get(kind=AuditKind.EXPORT, actor=handler)
    assert (entry.data["what"], entry.data["rows"]) == ("list:work", len(listed))


def test_a_filtered_list_exports_only_its_filter(march: Month, handler: User) -> None:
    response = export(handler, "work", "?q=NO-SUCH-THING")
    assert response.status_code == 200
    assert sheet_of(response.content)[HEADER_ROWS:] == []
    entry = AuditEntry.objects.get(kind=AuditKind.EXPORT, actor=handler)
    assert entry.data["filter"] == {"q": "（13 个字）"} and "NO-SUCH" not in str(entry.data)  # the text is not logged


def test_an_export_holds_only_letters_the_viewer_may_see(march: Month, shenzhen: Unit, handler: User) -> None:
    outsider = make_staff("sz-handler", shenzhen, Role.HANDLER)
    rows = sheet_of(export(outsider, "work").content)
    assert rows[HEADER_ROWS:] == []
    # Whatever a list would hand it, the export path keeps only what the viewer may see.
    spec = ListExport("list:test", "test", shenzhen.name, "now", {})
    made = exports.letters_export(viewer=outsider, letters=Letter.objects.all(), spec=spec)
    assert made.data is not None and sheet_of(made.data)[HEADER_ROWS:] == []
    made = exports.letters_export(viewer=handler, letters=Letter.objects.all(), spec=spec)
    seen = {r[0] for r in sheet_of(made.data or b"")[HEADER_ROWS:]}
    assert seen == set(letters_visible_to(handler).values_list("tracking_number", flat=True)) and seen
    assert seen != set(Letter.objects.values_list("tracking_number", flat=True))


def test_a_list_of_another_role_is_refused(march: Month, handler: User) -> None:
    for name in ("desk", "approvals", "important", "supervision"):
        assert export(handler, name).status_code == 403, name
    assert export(handler, "no-such-list").status_code == 404


def test_the_writer_stays_masked(march: Month, acceptor: User) -> None:
    rows = sheet_of(export(acceptor, "desk").content)
    assert rows[HEADER_ROWS:] and all(r[-1] == "张*" for r in rows[HEADER_ROWS:])
    text = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    assert not any(value in text for value in WRITER)


def test_a_long_list_is_made_by_the_worker_for_the_requester_only(
    march: Month, acceptor: User, guangdong: Unit, citizen: User, gd_mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(citizen, gd_mailbox)  # two letters wait at the desk
    monkeypatch.setattr(exports, "INLINE_MAX", 1)
    client = sign_in(Client(), acceptor)
    response = client.get(reverse("console:letters_export", args=["desk"]))
    assert response.status_code == 302 and response["Location"] == reverse("console:exports")
    job = LetterExport.objects.get(requested_by=acceptor)
    assert job.status == ExportStatus.PENDING
    assert "生成中" in client.get(reverse("console:exports")).content.decode()
    drain()
    job.refresh_from_db()
    assert job.status == ExportStatus.READY
    page = client.get(reverse("console:exports")).content.decode()
    link = reverse("console:export_download", args=[job.public_id])
    assert link in page
    rows = sheet_of(b"".join(client.get(link).streaming_content))
    listed = [letter.tracking_number for letter in desk_queue(acceptor)]
    assert [r[0] for r in rows[HEADER_ROWS:]] == listed and len(listed) == 2
    assert rows[1][1] == guangdong.name and all(r[-1] == "张*" for r in rows[HEADER_ROWS:])
    entry = AuditEntry.objects.get(kind=AuditKind.EXPORT, actor=acceptor)
    assert (entry.data["what"], entry.data["rows"]) == ("list:desk", len(listed))
    # Nobody else downloads it, not even a colleague with the same role.
    colleague = make_staff("acceptor-2", guangdong, Role.ACCEPTOR)
    assert sign_in(Client(), colleague).get(link).status_code == 404
    assert link not in sign_in(Client(), colleague).get(reverse("console:exports")).content.decode()


def test_my_exports_names_each_list_in_the_readers_language(
    march: Month, acceptor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "INLINE_MAX", 0)
    chinese = sign_in(Client(HTTP_ACCEPT_LANGUAGE="zh-CN"), acceptor)
    assert chinese.get(reverse("console:letters_export", args=["desk"])).status_code == 302  # asked for in Chinese
    english = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en-US"), acceptor).get(reverse("console:exports"))
    row = english.content.decode().split('data-export="', 1)[1].split("</tr>", 1)[0]
    assert "受理台待办信件" not in row and "Letters waiting at the front desk" in row, row
