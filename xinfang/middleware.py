"""Security headers on every response (the ones Django's SecurityMiddleware does not set).

- ``Content-Security-Policy``: scripts and styles only from our own files, no inline script or
  style, no framing, forms post only to us (``settings.XINFANG_CONTENT_SECURITY_POLICY``).
- ``Permissions-Policy``: no camera, microphone, location, payment … (``settings.XINFANG_PERMISSIONS_POLICY``).
- ``Cache-Control: no-store`` (Django's ``add_never_cache_headers``) on every response to a
  signed-in user, on every page under ``settings.XINFANG_NO_STORE_PATHS`` (the console, the
  inbox, the admin) and on every answer to a POST (an anonymous lookup shows a letter): none of
  them may stay in a shared or browser cache.

A view that already set one of the two policies keeps its own (the embeddable pages set theirs
with :func:`content_security_policy`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.XINFANG_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.XINFANG_PERMISSIONS_POLICY)
        if must_not_be_stored(request):
            add_never_cache_headers(response)
        return response


def content_security_policy(*, frame_ancestors: Iterable[str] = ()) -> str:
    """The site's policy, letting only the origins ``frame_ancestors`` frame the page (none: nobody).

    For the few pages made to be embedded (``portal.views_public.embed_frame``), which also drop
    ``X-Frame-Options``; every other page keeps ``frame-ancestors 'none'``.
    """
    ancestors = " ".join(frame_ancestors) or "'none'"
    directives = [
        d for d in settings.XINFANG_CONTENT_SECURITY_POLICY.split("; ") if not d.startswith("frame-ancestors")
    ]
    return "; ".join([*directives, f"frame-ancestors {ancestors}"])


def must_not_be_stored(request: HttpRequest) -> bool:
    if request.method not in SAFE_METHODS:
        return True
    if request.path.startswith(tuple(settings.XINFANG_NO_STORE_PATHS)):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class HeadAsGetMiddleware:
    """HEAD answers as GET does (RFC 9110 §9.3.2): same status and headers, no body.

    The views allow GET by decorators (``require_GET``, ``require_http_methods(["GET", "POST"])``)
    that would refuse HEAD with 405; rather than repeat HEAD in each, the request reaches them as a
    GET and the body is dropped here, outermost, after ``Content-Length`` was set for the GET body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if response.streaming:
            response.streaming_content = []  # type: ignore[attr-defined]
        else:
            response.content = b""  # type: ignore[attr-defined]
        return response
