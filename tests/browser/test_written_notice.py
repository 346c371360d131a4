"""A clerk's refusal produces a written notice the citizen downloads (issue 19, "Done when").

The front desk refuses a letter in the console; the worker's notices job runs (here the test runs it,
as the worker does every minute); the clerk sees the numbered notice on the letter's page and the
writer downloads the PDF from their letter page in the portal.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, SignedIn, signed_in
from tests.factories import receive
from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.letters.models import LetterState
from xinfang.notices.models import Notice, NoticeKind
from xinfang.notices.services import notices_issue
from xinfang.orgs.models import Mailbox


def test_a_clerks_refusal_becomes_a_notice_the_citizen_downloads(
    signed_in_page: SignedIn, browser: Browser, live_server: LiveServer, transactional_db: None, tree: None,
    gd_mailbox: Mailbox, acceptor: User, citizen: User, shot: Shot, tmp_path: Path,
) -> None:  # fmt: skip
    letter = receive(citizen, gd_mailbox, subject="邻居房屋买卖合同纠纷")

    # 1. The clerk refuses it at the front desk.
    clerk = signed_in_page(acceptor)
    clerk.goto(f"{live_server.url}/console/desk/{letter.public_id}/")
    clerk.get_by_text("不予受理", exact=True).click()
    clerk.get_by_label("不予受理理由").select_option("courts")
    clerk.get_by_role("button", name="不予受理并出具告知书").click()
    letter.refresh_from_db()
    assert letter.state == LetterState.NOT_ACCEPTED

    # 2. The worker's job makes the notice, dated at the refusal, and a worker's task renders it.
    assert notices_issue()["issued"] == 1
    drain()
    notice = Notice.objects.get(letter=letter)
    assert notice.kind == NoticeKind.NON_ACCEPTANCE
    assert notice.issued_at == letter.events.get(action="refuse").at

    # 3. The clerk finds it on the letter's page.
    clerk.goto(f"{live_server.url}/console/letters/{letter.public_id}/")
    notices = clerk.get_by_test_id("notices")
    expect(notices).to_contain_text(notice.document_number)
    shot(clerk, "console-letter-with-notice")

    # 4. The writer downloads it from their letter page.
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    try:
        page = signed_in(context.new_page(), live_server, citizen)
        page.goto(f"{live_server.url}/my/letters/{letter.public_id}/")
        link = page.get_by_role("link", name="下载不予受理告知书（PDF）")
        expect(link).to_be_visible()
        expect(page.get_by_test_id("notices")).to_contain_text(notice.document_number)
        shot(page, "portal-letter-with-notice")
        with page.expect_download() as info:
            link.click()
        download = info.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
    finally:
        context.close()
    assert download.suggested_filename.endswith(".pdf") and letter.tracking_number in download.suggested_filename
    assert saved.read_bytes().startswith(b"%PDF")
