"""The console's landing page: what this member of staff can do, by role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.pages.gates import staff_page


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {})
