"""The product's URLs plus the bare one-row insert view that ``scripts/bench_http.py`` measures
intake against (issue 17 §2). Served only by the benchmark (``scripts/bench_settings.py``); the
product's ``xinfang.urls`` never includes it."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from xinfang.urls import urlpatterns as product_urlpatterns

BARE_PATH = "/bench/bare/"
# The table is created by the benchmark in its throwaway database, never by a migration.
BARE_TABLE_SQL = "CREATE TABLE bench_bare_row (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL)"
BARE_INSERT_SQL = "INSERT INTO bench_bare_row (body, at) VALUES (%s, now()) RETURNING id"


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    """The floor: the same server, middleware and connection handling, one INSERT in autocommit."""
    with connection.cursor() as cursor:
        cursor.execute(BARE_INSERT_SQL, [request.POST.get("body", "")])
        row = cursor.fetchone()
    assert row is not None
    return HttpResponse(str(row[0]), content_type="text/plain")


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare_insert), *product_urlpatterns]
