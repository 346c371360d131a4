"""How every stored file leaves the product (attachments, written notices): as a download the browser
must not sniff, render inline or cache. Who may download is the caller's check, made before."""

from __future__ import annotations

from typing import IO, TypeVar

from django.http import FileResponse, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

R = TypeVar("R", bound=HttpResponse | FileResponse)


def download(stored: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(stored, as_attachment=True, filename=filename, content_type=content_type)
    return _sealed(response)


def download_bytes(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A file made for this request (a small export), under the same headers as a stored one."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _sealed(response)


def _sealed(response: R) -> R:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    add_never_cache_headers(response)
    return response
