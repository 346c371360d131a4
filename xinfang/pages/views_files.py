"""Downloads of letter attachments, for staff and for the citizen who wrote the letter.

Staff get the copy with metadata removed unless they ask for the original (``?original=1``);
citizens get their own non-internal attachments only; anyone else, including staff who have not
passed their second factor, gets 404. Files are always sent as downloads that the browser must
not sniff, render inline or cache, except the preview: staff see an image or a PDF in the letter
page, from its sanitised copy only (re-encoded without metadata; a PDF with nothing a viewer could
run), framed by our own pages only.
"""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import add_never_cache_headers
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from xinfang.accounts.models import User
from xinfang.letters.attachments import attachment_for
from xinfang.pages.downloads import download
from xinfang.pages.gates import is_verified_staff

# What a browser shows by itself, with nothing to run: the kinds the preview serves, by their type
# as read from the bytes (``letters.attachments.KINDS``).
PREVIEW_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
PREVIEW_DOCUMENTS = frozenset({"application/pdf"})
PREVIEWABLE = PREVIEW_IMAGES | PREVIEW_DOCUMENTS


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


@require_GET
@xframe_options_sameorigin
def attachment_preview(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    if not is_verified_staff(request):
        raise Http404
    user = _downloader(request)
    attachment = attachment_for(user, str(public_id))
    stored = attachment.sanitised or (attachment.file if attachment.content_type == "application/pdf" else None)
    if attachment.content_type not in PREVIEWABLE or not stored:
        raise Http404
    response = FileResponse(stored.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    # Chromium shows a PDF through an <embed> of this same address: object-src must allow 'self'.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
    )
    add_never_cache_headers(response)
    return response
