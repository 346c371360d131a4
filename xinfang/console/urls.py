"""The staff console under /console/ (sign-in itself is the ``signin`` app)."""

from __future__ import annotations

from django.urls import include, path

from xinfang.console import (
    urls_desk,
    urls_work,
    views,
    views_exports,
    views_notices,
    views_repeats,
    views_warnings,
)

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    *urls_desk.urlpatterns,
    *urls_work.urlpatterns,
    path("explanations/", include("xinfang.console.urls_explanations")),
    path("desk/<uuid:public_id>/repeat", views_repeats.desk_link_repeat, name="desk_link_repeat"),
    path("warnings/", views_warnings.warnings_page, name="warnings"),
    path("notices/<uuid:public_id>/download", views_notices.notice_download, name="notice_download"),
    path("statistics/", include("xinfang.console.urls_statistics")),
    path("publication/", include("xinfang.console.urls_publication")),
    path("export/<slug:name>.xlsx", views_exports.letter_list_export, name="letters_export"),
    path("exports/", views_exports.exports_page, name="exports"),
    path("exports/<uuid:public_id>/download", views_exports.export_download, name="export_download"),
]
