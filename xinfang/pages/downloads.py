"""How every stored file leaves the product (attachments, written notices): as a download the browser
must not sniff, render inline or cache. Who may download is the caller's check, made before."""

from __future__ import annotations

from typing import IO

from django.http import FileResponse
from django.utils.cache import add_never_cache_headers


def download(stored: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(stored, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    add_never_cache_headers(response)
    return response
