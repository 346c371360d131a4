"""Public pages for citizens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.orgs.selectors import mailboxes_by_province


def home(request: HttpRequest) -> HttpResponse:
    """The front door: every open mailbox, grouped by province."""
    national, provinces = mailboxes_by_province()
    return render(request, "portal/home.html", {"national": national, "provinces": provinces})
