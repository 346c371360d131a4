"""The statistics pages for analysts, leaders and inspectors (issue 19 §1-2): the dashboard of their
unit and its subtree, the assessment of subordinate units, hotspots, the drill-down to letters and
the .xlsx exports, and the periodic reports (made by the worker; requested and downloaded here).
Every figure comes from ``statistics.figures``; the pages read the rollups, once per count of the
worker (``selectors.counted_cache``), and the overdue letters live."""

from __future__ import annotations

import datetime as dt
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
from xinfang.console.templatetags.statistics_tags import figure_value
from xinfang.console.views_exports import letter_list_response
from xinfang.errors import Refused
from xinfang.orgs.models import Unit
from xinfang.pages.downloads import download
from xinfang.pages.gates import staff_page
from xinfang.pages.refusals import refusal_message
from xinfang.statistics import exports, selectors, services
from xinfang.statistics.figures import FIGURES, INDICATORS, SCORE_FORMULA, Figure, Totals
from xinfang.statistics.rollup import last_count
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


def _context(user: User, unit: Unit, period: Period, query: str, *, count: tuple[int, dt.datetime | None] | None = None,
             **more: object) -> dict[str, object]:  # fmt: skip
    root = selectors.scope_root(user)
    return {
        "unit": unit,
        "root": root,
        "period": period,
        "query": query,
        "regions": selectors.children_of(root),
        "counted_at": (count or last_count())[1],
        **more,
    }


def _cells(totals: Totals, figures: list[Figure], labels: list[str]) -> list[tuple[str, str]]:
    """Each figure of ``totals`` as shown, with its label (the cell's ``data-label`` on narrow screens)."""
    return [(figure_value(f.compute(totals), f.unit), label) for f, label in zip(figures, labels, strict=True)]


@staff_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures are read from the rollups once per count of the worker (cached); the overdue
    counts are live on every view."""
    user, unit, period, query = _scope(request)
    count = last_count()
    read = selectors.counted_cache("dashboard", viewer=user, unit=unit, period=period, count=count,
                                   compute=lambda: selectors.dashboard_read(unit, period))  # fmt: skip
    totals = Totals(overdue=0)  # the whole subtree: the sum of its regions
    tables = []
    for group, title in GROUPINGS.items():
        rows = selectors.with_overdue(unit, group, read.tables[group])
        if group == "region":
            for region in rows:
                totals.add(region.totals)
        shown = [f for f in FIGURES if not f.needs_histogram or group == "region"]
        labels = [str(f.label) for f in shown]
        tables.append(
            {
                "group": group,
                "title": title,
                "figures": shown,
                "rows": [(row, _cells(row.totals, shown, labels)) for row in rows],
                "chart": {
                    "labels": [row.name for row in rows][:20],
                    "received": [row.totals["received"] for row in rows][:20],
                    "replied": [row.totals["replied"] for row in rows][:20],
                },
            }
        )
    headline = [(f, f.compute(totals)) for f in FIGURES]
    trend_chart = {
        "labels": [label for label, _t in read.trend],
        "received": [t["received"] for _l, t in read.trend],
        "replied": [t["replied"] for _l, t in read.trend],
    }
    context = _context(user, unit, period, query, count=count, headline=headline, tables=tables, trend=read.trend,
                       trend_chart=trend_chart)  # fmt: skip
    return render(request, "console/statistics/dashboard.html", context)


@staff_page
def assessment(request: HttpRequest) -> HttpResponse:
    user, unit, period, query = _scope(request)
    count = last_count()
    assessed = selectors.counted_cache("assessment", viewer=user, unit=unit, period=period, count=count,
                                       compute=lambda: selectors.assessment(unit, period, overdue=False))  # fmt: skip
    selectors.with_overdue(unit, "region", [a.row for a in assessed])
    return render(
        request,
        "console/statistics/assessment.html",
        _context(user, unit, period, query, count=count, assessed=assessed, indicators=INDICATORS,
                 score_formula=SCORE_FORMULA),
    )  # fmt: skip


@staff_page
def hotspots(request: HttpRequest) -> HttpResponse:
    user, unit, period, query = _scope(request)
    count = last_count()
    found = selectors.counted_cache(
        "hotspots", viewer=user, unit=unit, period=period, count=count,
        compute=lambda: {group: selectors.hotspots(unit, period, group) for group in HOTSPOT_GROUPS},
    )  # fmt: skip
    groups = [(group, title, *found[group]) for group, title in HOTSPOT_GROUPS.items()]
    return render(
        request,
        "console/statistics/hotspots.html",
        _context(user, unit, period, query, count=count, groups=groups, previous=period.previous()),
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
