"""The statistics pages: viewer scope, drill-down, and the .xlsx exports against the database."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tests.console.conftest import sign_in
from tests.statistics.conftest import MONTH, Month
from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.letters.access import letters_visible_to
from xinfang.orgs.models import Unit
from xinfang.statistics.exports import HEADER_ROWS
from xinfang.statistics.rollup import statistics_rollup

pytestmark = pytest.mark.django_db
MARCH = {"period": "month", "start": f"{MONTH:%Y-%m}"}


def get(user: User, name: str, *args: str, **params: object) -> object:
    return sign_in(Client(), user).get(reverse(name, args=args) + "?" + urlencode({**MARCH, **params}))


def test_dashboard_shows_the_subtree_figures_and_formulas(march: Month, gd_analyst: User) -> None:
    statistics_rollup(settle=0)
    response = get(gd_analyst, "console:statistics")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-figure="received"><th scope="row">收信数</th><td class="num" data-label="数值">3</td>' in page
    assert "按期答复数 ÷ 答复数" in page  # the formula is on the page
    assert "vendor/echarts/echarts.min.js" in page


def test_a_shenzhen_analyst_never_sees_guangzhou(march: Month, sz_analyst: User, guangzhou: Unit) -> None:
    statistics_rollup(settle=0)
    for name in ("console:statistics", "console:statistics_assessment", "console:statistics_letters"):
        response = get(sz_analyst, name, unit=guangzhou.pk)
        assert response.status_code == 200
        page = response.content.decode()
        assert "广州" not in page
        assert march.replied.tracking_number not in page
    response = get(sz_analyst, "console:statistics", unit=guangzhou.pk)
    replied = '<th scope="row">答复数</th><td class="num" data-label="数值">0</td>'
    assert f'data-figure="replied">{replied}' in response.content.decode()
    sheet = openpyxl.load_workbook(io.BytesIO(get(sz_analyst, "console:statistics_export", "letters",
                                                  unit=guangzhou.pk).content)).active  # fmt: skip
    assert sheet is not None and sheet.max_row == HEADER_ROWS


def test_staff_without_a_statistics_role_are_refused(march: Month, handler: User) -> None:
    pages = [
        ("console:statistics",),
        ("console:statistics_letters",),
        ("console:statistics_export", "figures"),
        ("console:statistics_export", "letters"),
    ]
    for name, *args in pages:
        assert get(handler, name, *args).status_code == 403, name


def test_assessment_ranks_the_cities_and_drills_down(march: Month, gd_analyst: User, guangzhou: Unit) -> None:
    statistics_rollup(settle=0)
    page = get(gd_analyst, "console:statistics_assessment").content.decode()
    assert "综合得分 = Σ" in page
    row = page.split(f'data-unit="{guangzhou.code}"')[1].split("</tr>")[0]
    assert row.startswith('><td class="num" data-label="排名">1</td>')  # ranked first
    assert "100.0%" in row  # its one reply was on time and rated satisfied
    letters = get(gd_analyst, "console:statistics_letters", unit=guangzhou.pk).content.decode()
    assert march.replied.tracking_number in letters
    assert march.refused.tracking_number not in letters  # refused at the provincial desk, never in Guangzhou


def test_exports_open_and_match_the_database(march: Month, gd_analyst: User, guangdong: Unit) -> None:
    statistics_rollup(settle=0)
    response = get(gd_analyst, "console:statistics_export", "figures")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["B2"].value == guangdong.name and "2026-03" in sheet["B3"].value and sheet["B4"].value
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=HEADER_ROWS + 1, values_only=True) if row and row[0]}
    in_march = letters_visible_to(gd_analyst).filter(received_at__year=2026, received_at__month=3)
    assert values["收信数"] == in_march.count()
    assert values["不予受理数"] == in_march.filter(state="not_accepted").count()

    letters = openpyxl.load_workbook(io.BytesIO(get(gd_analyst, "console:statistics_export", "letters").content)).active
    assert letters is not None
    rows = list(letters.iter_rows(min_row=HEADER_ROWS + 1, values_only=True))
    assert {r[0] for r in rows} == set(in_march.values_list("tracking_number", flat=True))
    assert all(r[-1] == "张*" for r in rows)  # the writer stays masked
    exports = AuditEntry.objects.filter(kind=AuditKind.EXPORT, actor=gd_analyst).order_by("id")
    assert [(e.data["what"], e.data["rows"]) for e in exports] == [("figures", 19), ("letters", len(rows))]


@pytest.mark.parametrize("what", ["breakdown:police_type", "breakdown:region", "assessment", "hotspots:place"])
def test_every_table_exports(march: Month, gd_analyst: User, what: str) -> None:
    statistics_rollup(settle=0)
    response = get(gd_analyst, "console:statistics_export", what)
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active is not None


def test_hotspots_list_the_place(march: Month, gd_analyst: User) -> None:
    statistics_rollup(settle=0)
    page = get(gd_analyst, "console:statistics_hotspots").content.decode()
    assert "天河区（440106）" in page
