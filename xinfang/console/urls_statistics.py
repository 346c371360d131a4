"""The statistics pages under /console/statistics/."""

from __future__ import annotations

from django.urls import path

from xinfang.console import views_statistics

urlpatterns = [
    path("", views_statistics.dashboard, name="statistics"),
    path("assessment/", views_statistics.assessment, name="statistics_assessment"),
    path("hotspots/", views_statistics.hotspots, name="statistics_hotspots"),
    path("letters/", views_statistics.letters, name="statistics_letters"),
    path("export/<str:what>", views_statistics.export, name="statistics_export"),
    path("reports/", views_statistics.reports, name="statistics_reports"),
    path("reports/<uuid:public_id>.<str:fmt>", views_statistics.report_download, name="statistics_report_download"),
]
