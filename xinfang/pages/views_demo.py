"""The demo outbox: in demo mode only (``settings.XINFANG_DEMO``), staff read the SMS and e-mail
that would have been sent, newest first, so that a newcomer can read a sign-up code. Anywhere
else the page does not exist (404), for everyone."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from xinfang.notifications import demo_outbox
from xinfang.pages.gates import staff_page

SHOWN = 100


def outbox(request: HttpRequest) -> HttpResponseBase:
    if not settings.XINFANG_DEMO:
        raise Http404
    return _outbox(request)


@staff_page
def _outbox(request: HttpRequest) -> HttpResponse:
    context = {"landing": demo_outbox.landing(), "messages_landed": demo_outbox.outbox(limit=SHOWN), "shown": SHOWN}
    return render(request, "pages/demo_outbox.html", context)
