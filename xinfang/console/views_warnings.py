"""The inspectors' early-warning page (信访预警): units and officers named by several different writers.

Each warning shows the unit, the officer, how many writers and the window; of its letters, only
those the inspector may open (``analysis.early_warning.visible_letters``), and never a writer.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.accounts.models import Role, User
from xinfang.analysis.early_warning import visible_letters, warnings_for
from xinfang.pages.gates import staff_page

SHOWN = 100


@staff_page
def warnings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not user.has_role(Role.INSPECTOR):
        raise PermissionDenied
    rows = [(warning, list(visible_letters(warning, user)[:50])) for warning in warnings_for(user)[:SHOWN]]
    return render(request, "console/warnings/list.html", {"rows": rows})
