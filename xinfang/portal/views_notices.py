"""The writer downloads the written notices (书面告知) of their own letter from its page.

Ownership is checked the way the portal's other letter pages check it: ``citizen_page`` lets only
signed-in citizens through and ``notices.selectors.notice_for`` finds the notice among the letters
``letters.access`` lets this citizen see (their own); anyone else's gets 404. Sent like attachments
(``pages.views_files``): as a download, not sniffed, not rendered inline, never cached.
"""

from __future__ import annotations

import uuid

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from xinfang.notices.selectors import notice_filename, notice_for
from xinfang.pages.downloads import download
from xinfang.portal.security import citizen_page, signed_in_citizen


@citizen_page
@require_GET
def notice_download(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    citizen = signed_in_citizen(request)
    assert citizen is not None  # citizen_page let the request through
    notice = notice_for(citizen, str(public_id))
    return download(notice.file.open("rb"), filename=notice_filename(notice), content_type="application/pdf")
