"""Staff download a letter's written notices (书面告知) from the letter's page, to print, seal and send.

Only staff who may open the letter (``notices.selectors.notice_for``: the access policy, recusal
included, so the accused side never gets one) download it; anyone else gets 404. A notice names the
writer in full, so every staff download is an audit entry. Sent like attachments
(``pages.views_files``): as a download, not sniffed, not rendered inline, never cached.
"""

from __future__ import annotations

import uuid

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from xinfang.accounts.models import User
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.notices.selectors import notice_filename, notice_for
from xinfang.pages.downloads import download
from xinfang.pages.gates import staff_page


@staff_page
@require_GET
def notice_download(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    user = request.user
    assert isinstance(user, User)  # staff_page lets only signed-in staff through
    notice = notice_for(user, str(public_id))
    audit_record(
        kind=AuditKind.EXPORT,
        actor=user,
        subject=notice.letter,
        data={"what": "notice", "document_number": notice.document_number, "kind": notice.kind},
    )
    return download(notice.file.open("rb"), filename=notice_filename(notice), content_type="application/pdf")
