"""The statistics pages for analysts, leaders and inspectors (issue 19 §1-2): the dashboard of their
unit and its subtree, the assessment of subordinate units, hotspots, the drill-down to letters and
the .xlsx exports, and the periodic reports (made by the worker; requested and downloaded here).
Every figure comes from ``statistics.figures``; the pages read the rollups."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.accounts.models import User
from xinfang.console.views_exports import letter_list_response
from xinfang.errors import Refused
from xinfang.orgs.models import Unit
from xinfang.pages.downloads import download
from xinfang.pages.gates import staff_page
from xinfang.pages.refusals import refusal_message
from xinfang.statistics import exports, selectors, services
from xinfang.statistics.figures import FIGURES, INDICATORS, SCORE_FORMULA, Figure, Totals
from xinfang.statistics.rollup import last_counted_at
from xinfang.statistics.selectors import GROUPINGS, HOTSPOT_GROUPS, Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not selectors.may_view_statistics(user):
        raise PermissionDenied
    return user


def _scope(request: HttpRequest) -> tuple[User, Unit, Period, str]:
    user = _viewer(request)
    unit = selectors.unit_in_scope(user, request.GET.get("unit"))
    period = selectors.period_from(request.GET.dict())
    query = urlencode({"unit": unit.pk, **period.query()})
    return user, unit, period, query


def _context(user: User, unit: Unit, period: Period, query: str, **more: object) -> dict[str, object]:
    root = selectors.scope_root(user)
    return {
        "unit": unit,
        "root": root,
        "period": period,
        "query": query,
        "regions": selectors.children_of(root),
        "counted_at": last_counted_at(),
        **more,
    }


def _cells(totals: Totals, figures: list[Figure]) -> list[tuple[object, str]]:
    return [(f.compute(totals), f.unit) for f in figures]


@staff_page
def dashboard(request: HttpRequest) -> HttpResponse:
    user, unit, period, query = _scope(request)
    regions = selectors.by_region(unit, period)
    totals = Totals()  # the whole subtree: the sum of its regions (one read of the rollups for both)
    for region in regions:
        totals.add(region.totals)
    totals.overdue = totals.overdue or 0
    headline = [(f, f.compute(totals)) for f in FIGURES]
    tables = []
    for group, title in GROUPINGS.items():
        shown = [f for f in FIGURES if not f.needs_histogram or group == "region"]
        rows = regions if group == "region" else selectors.breakdown(unit, period, group)
        tables.append(
            {
                "group": group,
                "title": title,
                "figures": shown,
                "rows": [(row, _cells(row.totals, shown)) for row in rows],
                "chart": {
                    "labels": [row.name for row in rows][:20],
                    "received": [row.totals["received"] for row in rows][:20],
                    "replied": [row.totals["replied"] for row in rows][:20],
                },
            }
        )
    trend = selectors.trend(unit, period)
    trend_chart = {
        "labels": [label for label, _t in trend],
        "received": [t["received"] for _l, t in trend],
        "replied": [t["replied"] for _l, t in trend],
    }
    return render(
        request,
        "console/statistics/dashboard.html",
        _context(user, unit, period, query, headline=headline, tables=tables, trend=trend, trend_chart=trend_chart),
    )


@staff_page
def assessment(request: HttpRequest) -> HttpResponse:
    user, unit, period, query = _scope(request)
    return render(
        request,
        "console/statistics/assessment.html",
        _context(user, unit, period, query, assessed=selectors.assessment(unit, period), indicators=INDICATORS,
                 score_formula=SCORE_FORMULA),
    )  # fmt: skip


@staff_page
def hotspots(request: HttpRequest) -> HttpResponse:
    user, unit, period, query = _scope(request)
    groups = [(group, title, *selectors.hotspots(unit, period, group)) for group, title in HOTSPOT_GROUPS.items()]
    return render(
        request,
        "console/statistics/hotspots.html",
        _context(user, unit, period, query, groups=groups, previous=period.previous()),
    )


@staff_page
def letters(request: HttpRequest) -> HttpResponse:
    user, unit, period, query = _scope(request)
    page = Paginator(selectors.drilldown_letters(user, unit, period), 50).get_page(request.GET.get("page"))
    return render(request, "console/statistics/letters.html", _context(user, unit, period, query, page=page))


@staff_page
def export(request: HttpRequest, what: str) -> HttpResponseBase:
    user, unit, period, _query = _scope(request)
    if what == "letters":  # a letter list: the console's one export path for letter lists
        asked = {"unit": unit.code, "from": f"{period.start}", "to": f"{period.end}"}
        spec = exports.ListExport(what="letters", title=_("信件清单"), unit_name=unit.name,
                                  period=exports.period_text(period), filters=asked, unit_code=unit.code)  # fmt: skip
        return letter_list_response(request, selectors.drilldown_letters(user, unit, period), spec)
    made = exports.export(what, viewer=user, unit=unit, period=period)
    if made is None:
        raise Http404
    _table, data = made
    response = HttpResponse(data, content_type=XLSX)
    name = f"statistics-{what.replace(':', '-')}-{unit.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_page
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    """The unit's periodic reports; the button asks the worker for the report of the chosen period."""
    user, unit, period, query = _scope(request)
    if request.method == "POST":
        try:
            services.report_request(unit=unit, period=period, actor=user)
        except Refused as refused:
            messages.error(request, refusal_message(refused))
        else:
            messages.success(request, _("已提交，报告将在约一分钟内生成；请稍后刷新本页。"))
        return redirect(f"{request.path}?{query}")
    listed = selectors.reports_of(user, unit)
    return render(
        request,
        "console/statistics/reports.html",
        _context(user, unit, period, query, reports=listed, may_request=period.kind != "custom"),
    )


REPORT_FORMATS = {"pdf": "application/pdf", "xlsx": XLSX}


@staff_page
@require_GET
def report_download(request: HttpRequest, public_id: uuid.UUID, fmt: str) -> FileResponse:
    """A ready report of a unit in the viewer's subtree (else 404); every download is an audit entry."""
    user = _viewer(request)
    if fmt not in REPORT_FORMATS:
        raise Http404
    report = selectors.report_for(user, str(public_id))
    services.report_download_record(report=report, actor=user, fmt=fmt)
    stored = report.pdf if fmt == "pdf" else report.xlsx
    name = f"report-{report.unit.code}-{report.period}-{report.start:%Y%m}.{fmt}"
    return download(stored.open("rb"), filename=name, content_type=REPORT_FORMATS[fmt])
