"""Benchmark the statistics pages on rollups equivalent to 10,000,000 letters a year (issue 19 §1).

    .venv/bin/python scripts/bench_statistics.py                      # 10,000,000 letters' worth
    .venv/bin/python scripts/bench_statistics.py --letters 1000000 --json var/bench-statistics.json

1. Start a throwaway PostgreSQL (``scripts/with_postgres.py``) and run this script inside it (``--inner``):
   migrate, load the real unit tree (every bureau, 3,000-odd) and the mailboxes.
2. Fill the rollup tables with set-based SQL (``generate_series``) for one calendar year: for every
   bureau and month, the ``all`` slice and every other slice (13 police types, the channels, the
   letter types, the mailbox, the place, three accused units), the day-count histograms (accept
   0-15 days, reply 0-60 days, on the ``all`` rows), and the daily ``all`` rows of every bureau and
   day, then the subtree rows from them (``subtrees``: each row summed into its unit and every
   unit above it, as the rollup job keeps them). The counters are scaled so that the year's
   ``received`` adds up to ``--letters``; the other counters
   are the usual shares of it (80 % accepted, 75 % replied …). Daily rows of the
   slices other than ``all`` are not generated: no measured page reads them (they serve custom
   periods' edges and the breakdowns of partial months). The letters table stays empty, so the
   live "overdue now" count costs an index probe on an empty partial index; at 10 M letters it
   reads the open overdue letters of the units through ``letter_owing_open_idx``.
3. Sign in an analyst at the Guangdong provincial department and one at the Tianhe district branch
   (as ``tests/console/conftest.py`` does), and time the pages with ``django.test.Client``:
   the province-year dashboard (target < 1 s), the assessment and hotspots for the province-year,
   a unit-month dashboard (target < 200 ms) and, for information, the Ministry-year dashboard. The
   pages keep what they read until the rollup job counts again (``selectors.counted_cache``), so
   the two dashboards are also timed as the first view after a count (the cache emptied before
   each request). ``--profile PREFIX`` also writes a cProfile of each of those two.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2026

# Share of the month's received letters for each counter (docs/statistics.md).
SHARES: dict[str, float] = {
    "received": 1.0, "repeats": 0.05, "decided": 0.95, "decided_on_time": 0.9, "accepted": 0.8, "refused": 0.08,
    "referred": 0.05, "redirected": 0.02, "accept_days_sum": 2.4, "owed_reply": 0.8, "owed_reply_done": 0.72,
    "replied": 0.75, "replied_on_time": 0.69, "reply_days_sum": 18.0, "extensions": 0.03, "rated": 0.5,
    "satisfied": 0.43, "review_requested": 0.03, "review_answered": 0.025, "review_judged": 0.025,
    "review_overturned": 0.003, "reexam_requested": 0.01, "reexam_answered": 0.008, "reexam_judged": 0.008,
    "reexam_overturned": 0.001,
}  # fmt: skip
POLICE_TYPES = [
    "public_order", "criminal", "traffic", "exit_entry", "household", "cyber", "economic", "narcotics",
    "detention", "legal", "inspection", "discipline", "petition",
]  # fmt: skip
CHANNELS = ["web", "wechat", "weibo", "telephone", "visit", "post", "email", "partner_api"]
LETTER_TYPES = ["complaint", "report", "inquiry", "suggestion", "request", "praise"]


def outer(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import with_postgres

    return int(with_postgres.main(["--", sys.executable, str(Path(__file__).resolve()), "--inner", *argv]))


def _counters(r: str) -> tuple[str, str]:
    """The counter columns and their values: each share of ``r`` (an SQL expression), rounded at random."""
    names = ", ".join(SHARES)
    values = ", ".join(f"floor(({r}) * {share} + random())::int" for (share,) in ((s,) for s in SHARES.values()))
    return names, values


def _sql(c: Any, label: str, statement: str) -> None:
    started = time.perf_counter()
    c.execute(statement)
    print(f"  {label}: {c.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)


def generate(letters: int) -> None:
    from django.db import connection

    from xinfang.orgs.models import Unit

    units = Unit.objects.filter(kind="bureau").count()
    per_unit_month = letters / units / 12
    names, values = _counters("r")
    with connection.cursor() as c:
        c.execute("TRUNCATE statistics_rollup")
        # Loading without the unique indexes and building them afterwards is several times faster.
        c.execute("ALTER TABLE statistics_rollup DROP CONSTRAINT rollup_cell")
        c.execute("SELECT setseed(0.20261207)")
        # A weight per bureau (mean 1): some bureaus get many more letters than others.
        c.execute(
            "CREATE TEMP TABLE bench_w AS SELECT id AS unit_id, division_code, "
            "(0.1 + random() * 1.8) AS w FROM orgs_unit WHERE kind = 'bureau'"
        )
        monthly = (
            f"CREATE TEMP TABLE bench_m AS SELECT unit_id, division_code, make_date({YEAR}, m, 1) AS start, "  # noqa: S608
            f"floor({per_unit_month} * w * (0.8 + random() * 0.4) + random())::int AS r "
            "FROM bench_w, generate_series(1, 12) AS m"
        )
        c.execute(monthly)
        insert_hist = (
            f"INSERT INTO statistics_rollup (grain, start, unit_id, dim, key, {names}, accept_hist, reply_hist) "
        )
        # Day counts: acceptance mostly within a few days, replies spread over 0-60 days.
        hists = (
            "(SELECT jsonb_object_agg(d, floor(r * 0.8 * CASE WHEN d < 3 THEN 0.22 ELSE 0.025 END + random())::int) "
            "FROM generate_series(0, 15) AS d), "
            "(SELECT jsonb_object_agg(d, floor(r * 0.75 / 61 + random())::int) FROM generate_series(0, 60) AS d)"
        )
        select = f"SELECT 'm', start, unit_id, 'all', '', {values}, {hists} FROM bench_m"  # noqa: S608
        _sql(c, "monthly, all (with the day-count histograms)", insert_hist + select)
        # The other slices carry no histograms (the JSON columns have no database default).
        insert = f"INSERT INTO statistics_rollup (grain, start, unit_id, dim, key, accept_hist, reply_hist, {names}) "
        slices = {
            "police_type": POLICE_TYPES,
            "channel": CHANNELS,
            "letter_type": LETTER_TYPES,
            "mailbox": ["1"],
            "accused": ["1", "2", "3"],  # unit ids (the Ministry and two provincial departments)
        }
        for dim, keys in slices.items():
            array = "ARRAY[" + ", ".join(f"'{k}'" for k in keys) + "]"
            share = 0.2 if dim == "accused" else 1.0
            _names, values_k = _counters(f"r * {share} / {len(keys)} * (0.5 + random())")
            select = (
                f"SELECT 'm', start, unit_id, '{dim}', k, '{{}}', '{{}}', {values_k} FROM bench_m, unnest({array}) AS k"  # noqa: S608
            )
            _sql(c, f"monthly, {dim}", insert + select)
        select = f"SELECT 'm', start, unit_id, 'place', division_code, '{{}}', '{{}}', {values} FROM bench_m"  # noqa: S608
        _sql(c, "monthly, place", insert + select)
        per_day = per_unit_month / 30.4
        daily = (
            f"SELECT 'd', day::date, unit_id, 'all', '', {values}, "  # noqa: S608
            # each day's accepted letters at 0 and 2 days, its replies at 10, 25 and 40 days
            "jsonb_build_object('0', floor(r * 0.4)::int, '2', floor(r * 0.4)::int), "
            "jsonb_build_object('10', floor(r * 0.25)::int, '25', floor(r * 0.25)::int, '40', floor(r * 0.25)::int) "
            "FROM ("
            f"SELECT unit_id, day, floor({per_day} * w * (0.5 + random()) + random())::int AS r FROM bench_w, "
            f"generate_series(make_date({YEAR}, 1, 1), make_date({YEAR}, 12, 31), interval '1 day') AS day) daily"
        )
        _sql(c, "daily, all (with histograms)", insert_hist + daily)
        subtrees(c)
        c.execute("INSERT INTO statistics_rollupwatermark (name, last_event_id, updated_at) "
                  "VALUES ('letter_events', 0, now()) ON CONFLICT (name) DO UPDATE SET updated_at = now()")  # fmt: skip
        started = time.perf_counter()
        c.execute("ALTER TABLE statistics_rollup ADD CONSTRAINT rollup_cell UNIQUE (grain, dim, unit_id, start, key)")
        print(f"  unique indexes: {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        c.execute("VACUUM ANALYZE statistics_rollup")
        print(f"  vacuum analyze: {time.perf_counter() - started:.1f} s", flush=True)


# Each rollup row with its unit and every unit above it (the ancestors' paths are the prefixes of its path).
LIFTED = (
    "FROM statistics_rollup r JOIN orgs_unit u ON u.id = r.unit_id "
    "CROSS JOIN LATERAL generate_series(1, u.depth) AS g JOIN orgs_unit a ON a.path = substr(u.path, 1, 4 * g) "
)


def subtrees(c: Any) -> None:
    """``SubtreeRollup`` from ``Rollup``, set-based: what ``rollup.subtree_rebuild`` does row by row."""
    names = ", ".join(SHARES)
    sums = ", ".join(f"sum(r.{name})" for name in SHARES)
    c.execute("TRUNCATE statistics_subtreerollup")
    c.execute("ALTER TABLE statistics_subtreerollup DROP CONSTRAINT subtreerollup_cell")
    days = (
        "CREATE TEMP TABLE bench_h AS SELECT grain, start, unit_id, "  # noqa: S608
        "jsonb_object_agg(days, n) FILTER (WHERE measure = 'accept') AS a, "
        "jsonb_object_agg(days, n) FILTER (WHERE measure = 'reply') AS r FROM ("
        "SELECT r.grain, r.start, a.id AS unit_id, m.measure, e.key AS days, "
        f"sum(e.value::int) AS n {LIFTED}"
        "CROSS JOIN LATERAL (VALUES ('accept', r.accept_hist), ('reply', r.reply_hist)) AS m(measure, h) "
        "CROSS JOIN LATERAL jsonb_each_text(m.h) AS e WHERE r.dim = 'all' GROUP BY 1, 2, 3, 4, 5) per_day "
        "GROUP BY 1, 2, 3"
    )
    _sql(c, "subtree day counts", days)
    # The "all" rows with their day counts, the other slices without (as ``subtree_rebuild`` writes them).
    insert = (
        f"INSERT INTO statistics_subtreerollup (grain, start, unit_id, dim, key, {names}, accept_hist, reply_hist) "  # noqa: S608
        f"SELECT s.*, coalesce(h.a, '{{}}'), coalesce(h.r, '{{}}') FROM ("
        f"SELECT r.grain, r.start, a.id AS unit_id, r.dim, r.key, {sums} {LIFTED}"
        "GROUP BY r.grain, r.start, a.id, r.dim, r.key) s "
        "LEFT JOIN bench_h h ON s.dim = 'all' AND h.grain = s.grain AND h.start = s.start AND h.unit_id = s.unit_id"
    )
    _sql(c, "subtree rows", insert)
    started = time.perf_counter()
    c.execute(
        "ALTER TABLE statistics_subtreerollup ADD CONSTRAINT subtreerollup_cell "
        "UNIQUE (grain, dim, unit_id, start, key)"
    )
    c.execute("VACUUM ANALYZE statistics_subtreerollup")
    print(f"  subtree indexes, vacuum analyze: {time.perf_counter() - started:.1f} s", flush=True)


def check_subtrees() -> None:
    """The province's subtree rows hold what its units' rows add up to (counters and day counts)."""
    from django.db.models import Sum

    from xinfang.orgs.models import Unit
    from xinfang.orgs.selectors import unit_ids_under
    from xinfang.statistics.models import Rollup, SubtreeRollup
    from xinfang.statistics.selectors import month_period

    province = Unit.objects.get(code="440000")
    year = month_period("year", __import__("datetime").date(YEAR, 1, 1), 12)
    cells = {"grain": "m", "dim": "all", "start__gte": year.start, "start__lte": year.end}
    wanted = Rollup.objects.filter(unit_id__in=unit_ids_under(province) or [], **cells).aggregate(n=Sum("replied"))
    found = SubtreeRollup.objects.filter(unit_id=province.pk, **cells).aggregate(n=Sum("replied"))
    assert wanted == found, (wanted, found)
    print(f"  subtree check: Guangdong's {YEAR} replies {found['n']:,} both ways", flush=True)


def sign_in(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def analyst(code: str) -> Any:
    from django.contrib.auth.hashers import make_password

    from xinfang.accounts.models import Role, User
    from xinfang.accounts.services import staff_create
    from xinfang.orgs.models import Unit

    username = f"bench-analyst-{code}"
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    return staff_create(username=username, password_hash=make_password(None), unit=Unit.objects.get(code=code),
                        roles=[Role.ANALYST], actor=None, full_name=username)  # fmt: skip


def measure(name: str, client: Any, url: str, runs: int, budget: float | None, *, cold: bool = False) -> dict[str, Any]:
    """Time ``runs`` requests after 3 warm-ups; ``cold``: each the first view after a count (the
    pages' cache emptied before it, outside the timing)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        if cold:
            cache.clear()
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    result: dict[str, Any] = {"name": name, "url": url, "p50": round(statistics.median(ordered)), "p95": round(p95),
              "queries": len(captured.captured_queries), "budget": budget,
              "slowest_ms": round(float(slowest["time"]) * 1000), "slowest_sql": slowest["sql"][:300]}  # fmt: skip
    verdict = "" if budget is None else (" ok" if result["p95"] < budget else " OVER BUDGET")
    print(
        f"  {name}: p50 {result['p50']} ms, p95 {result['p95']} ms, {result['queries']} queries{verdict}; "
        f"slowest query {result['slowest_ms']} ms",
        flush=True,
    )
    return result


def profile(client: Any, url: str, path: str, runs: int = 5, *, cold: bool = False) -> None:
    """cProfile ``runs`` requests of ``url`` (after the timings, so warm) into ``path``; print the top 25."""
    import cProfile
    import pstats

    from django.core.cache import cache

    profiler = cProfile.Profile()
    for _ in range(runs):
        if cold:
            cache.clear()
        profiler.enable()
        client.get(url)
        profiler.disable()
    profiler.dump_stats(path)
    print(f"\nprofile of {url} ({runs} requests) in {path}:", flush=True)
    pstats.Stats(path).sort_stats("cumulative").print_stats(25)


def inner(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ.setdefault("XINFANG_DEBUG", "0")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--inner needs DATABASE_URL pointing at PostgreSQL (run without --inner)")
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from xinfang.orgs.models import Unit
    from xinfang.orgs.services import ensure_default_mailboxes

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    ensure_default_mailboxes()
    print(f"generating rollups for {args.letters:,} letters in {YEAR}", flush=True)
    generate(args.letters)
    setup = time.perf_counter() - started
    check_subtrees()
    with connection.cursor() as c:
        c.execute("SELECT count(*), sum(received) FILTER (WHERE grain = 'm' AND dim = 'all') FROM statistics_rollup")
        rows, received = c.fetchone()
        c.execute("SELECT version()")
        version = c.fetchone()[0].split(" on ")[0]
    print(f"{rows:,} rollup rows, {received:,} letters received in {YEAR}")
    load_before = os.getloadavg()
    province, tianhe = analyst("440000"), analyst("440106")
    ministry = analyst(Unit.objects.get(depth=1).code)
    year = f"period=year&start={YEAR}-01"
    month = f"period=month&start={YEAR}-06"
    runs = args.runs
    results = [
        measure("province-year dashboard", sign_in(province), f"/console/statistics/?{year}", runs, 1000),
        measure("province-year assessment", sign_in(province), f"/console/statistics/assessment/?{year}", runs, 1000),
        measure("province-year hotspots", sign_in(province), f"/console/statistics/hotspots/?{year}", runs, 1000),
        measure("province custom 2026-01-15..2026-03-10", sign_in(province),
                "/console/statistics/?period=custom&from=2026-01-15&to=2026-03-10", runs, 1000),
        measure("province-year dashboard, first view after a count", sign_in(province),
                f"/console/statistics/?{year}", runs, None, cold=True),
        measure("unit-month dashboard (Tianhe)", sign_in(tianhe), f"/console/statistics/?{month}", runs, 200),
        measure("unit-month dashboard (Tianhe), first view after a count", sign_in(tianhe),
                f"/console/statistics/?{month}", runs, None, cold=True),
        measure("province-month dashboard", sign_in(province), f"/console/statistics/?{month}", runs, None),
        measure("ministry-year dashboard", sign_in(ministry), f"/console/statistics/?{year}", max(3, runs // 4), None),
    ]  # fmt: skip
    if args.profile:
        profile(sign_in(tianhe), f"/console/statistics/?{month}", f"{args.profile}-unit-month.pstats")
        profile(sign_in(province), f"/console/statistics/?{year}", f"{args.profile}-province-year.pstats")
        profile(sign_in(tianhe), f"/console/statistics/?{month}", f"{args.profile}-unit-month-cold.pstats", cold=True)
        profile(sign_in(province), f"/console/statistics/?{year}", f"{args.profile}-province-year-cold.pstats",
                cold=True)  # fmt: skip
    cpus = os.cpu_count()
    load = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}
    print(f"load average (1, 5, 15 min) before the timings {load['before']}, after {load['after']}")
    report = {
        "load_average": load,
        "letters": args.letters,
        "rollup_rows": rows,
        "setup_seconds": round(setup),
        "postgresql": version,
        "cpus": cpus,
        "results": results,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n| page | p50 ms | p95 ms | queries |  ({args.letters:,} letters, {rows:,} rollup rows, {cpus} cores)")
    for r in results:
        print(f"| {r['name']} | {r['p50']} | {r['p95']} | {r['queries']} |")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=10_000_000, help="letters a year (default 10,000,000)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--profile", help="cProfile two dashboards into PREFIX-*.pstats")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        return inner(args)
    for given in (args.json, args.profile):
        if given:
            argv = [a if a != given else str(Path(given).resolve()) for a in argv]
    return outer(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
