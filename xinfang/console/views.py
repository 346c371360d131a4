"""The console's landing page: what this member of staff can do, by role (issue 19 §4).

Every role lands on something useful: analysts go straight to the statistics dashboard and
publishers to the publication candidates (issue 18), unless they also hold an operational role;
leaders and inspectors see this month's main figures of their unit above their links; every other
role gets its pages with a line on what each is for. Nobody gets an empty page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xinfang.accounts.models import Role, User
from xinfang.pages.gates import staff_page
from xinfang.statistics import selectors as statistics
from xinfang.statistics.figures import FIGURES_BY_NAME, Totals
from xinfang.statistics.rollup import last_counted_at

# The operational roles: someone who holds one of them starts from the home page, not the dashboard.
OPERATIONAL = frozenset({Role.SEAT_AGENT, Role.ACCEPTOR, Role.HANDLER, Role.LEADER, Role.INSPECTOR})
HOME_FIGURES = ("received", "accepted", "replied", "replied_on_time_pct", "overdue", "satisfaction_pct")


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    roles = user.role_set
    if Role.ANALYST in roles and not roles & OPERATIONAL:
        return redirect("console:statistics")
    if Role.PUBLISHER in roles and not roles & OPERATIONAL:
        return redirect("console:publication")
    context: dict[str, object] = {"roles": roles}
    if statistics.may_view_statistics(user):
        unit = statistics.scope_root(user)
        period = statistics.period_from({})
        totals = statistics.figures(unit, period).get(None, Totals())
        context["statistics"] = {
            "unit": unit,
            "period": period,
            "figures": [(FIGURES_BY_NAME[name], FIGURES_BY_NAME[name].compute(totals)) for name in HOME_FIGURES],
            "counted_at": last_counted_at(),
        }
    return render(request, "console/home.html", context)
