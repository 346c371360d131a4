"""Downloads of letter attachments, for staff and for the citizen who wrote the letter.

Staff get the copy with metadata removed unless they ask for the original (``?original=1``);
citizens get their own non-internal attachments only; anyone else, including staff who have not
passed their second factor, gets 404. Files are always sent as downloads that the browser must
not sniff, render inline or cache.
"""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from xinfang.accounts.models import User
from xinfang.letters.attachments import attachment_for
from xinfang.pages.downloads import download
from xinfang.pages.gates import is_verified_staff


def _downloader(request: HttpRequest) -> User:
    user = request.user
    if isinstance(user, User) and user.is_active and (user.is_citizen or is_verified_staff(request)):
        return user
    raise Http404


@require_GET
def attachment_download(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    user = _downloader(request)
    attachment = attachment_for(user, str(public_id))
    wants_original = request.GET.get("original") == "1" and not user.is_citizen
    stored = attachment.sanitised if attachment.sanitised and not wants_original else attachment.file
    return download(stored.open("rb"), filename=attachment.original_name, content_type=attachment.content_type)
