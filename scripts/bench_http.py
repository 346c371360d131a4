"""``make bench``: the portal's submit path against a bare one-row insert, over HTTP, in one run (issue 17 §2).

    .venv/bin/python scripts/bench_http.py                          # 20 s a side, 16 connections
    .venv/bin/python scripts/bench_http.py --seconds 30 --workers 2 --no-docs

1. Start a throwaway PostgreSQL (the helpers of ``scripts/with_postgres.py``) with
   ``pg_stat_statements``; fsync and synchronous commit are off while the schema and the unit
   tree load, then **on** for the measurement, as in production.
2. Migrate, load the unit tree, the mailboxes and the holidays; create the bare view's table and
   one citizen, and sign the citizen in (a session row, as the sign-in page makes).
3. Serve under gunicorn (``--workers`` sync workers) with production settings:
   ``XINFANG_PRODUCTION=1``, keys generated for this run only, ``XINFANG_ALLOWED_HOSTS=127.0.0.1``,
   everything else at its production default. The settings module is ``scripts/bench_settings.py``:
   the product's, plus the bare insert view (``scripts/bench_urls.py``), which the product's URLs
   never include. Production redirects plain HTTP to HTTPS and trusts ``X-Forwarded-Proto`` from its
   TLS-terminating proxy (``SECURE_PROXY_SSL_HEADER``); the load generator sends that header as the
   proxy would, so nothing in the settings is weakened for the benchmark.
4. With wrk, each for ``--seconds`` on ``--connections`` connections: (a) ``POST /bench/bare/``,
   (b) ``POST /m/<mailbox>/write/`` with the citizen's session, the CSRF cookie and token, and a
   complete letter whose text carries a number unique to the request. The Lua script (generated
   here) records every acknowledgement: the bare view's row id, the receipt page's address.
5. Check every acknowledged letter was written whole (the letter with its text, its tracking
   number, its timeline row and its receipt entry in the log) and every acknowledged bare row exists.
6. Print, and add to docs/benchmarks.md (``--no-docs``: don't): letters/s of each and the ratio,
   p50/p99 latency, CPU per letter of the web workers and of PostgreSQL (``/proc``), SQL statements
   and commits per letter (``pg_stat_statements``), the workers' RSS, with the machine, its load
   average and the commit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html.parser
import http.client
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
MAILBOX = "gd"
SUBJECT = "派出所办理户籍迁移拖延"
TEXT = "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。请督促办理。第 {seq} 封。"
SEQ = "{seq}"
# A complete letter to the Guangdong mailbox (as tests/portal/test_intake_budget.py sends one).
LETTER = {
    "letter_type": "complaint",
    "police_type": "household",
    "province": "440000",
    "city": "440100",
    "county": "440106",
    "address": "天河路 1 号",
    "subject": SUBJECT,
    "channel": "web",
}
RECEIPT_PATH = re.compile(r"/my/letters/([0-9a-f-]{36})/submitted/$")
BENCH_LINE = "BENCH "
# What the production proxy adds to every request it passed on from HTTPS (SECURE_PROXY_SSL_HEADER).
PROXIED = {"X-Forwarded-Proto": "https"}


# ---------------------------------------------------------------- pure helpers (tests/test_bench_http.py)


def form_field_names(page: str) -> set[str]:
    """The names of the inputs, selects and text areas of an HTML page."""

    class Names(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.names: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            name = dict(attrs).get("name")
            if tag in {"input", "select", "textarea"} and name:
                self.names.add(name)

    parser = Names()
    parser.feed(page)
    return parser.names


def body_around_seq(fields: Mapping[str, str], seq_field: str, template: str) -> tuple[str, str]:
    """A form body split where each request's number goes: ``prefix + seq + suffix``.

    ``template`` is the value of ``seq_field`` with ``{seq}`` where the number stands; the number
    must be made of characters that need no encoding (digits and ``-``)."""
    before, after = template.split(SEQ)
    head = urllib.parse.urlencode({**fields})
    prefix = f"{head}&{seq_field}={urllib.parse.quote_plus(before)}"
    return prefix, urllib.parse.quote_plus(after)


def lua_string(text: str) -> str:
    """A Lua string literal: printable ASCII as is, every other byte as a decimal escape."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        if char in '\\"':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(
    *, path: str, headers: Mapping[str, str], prefix: str, suffix: str, ack_status: int, ack_from: str, ack_dir: Path
) -> str:
    """A wrk script that POSTs ``prefix .. "<thread>-<n>" .. suffix`` and records each acknowledgement.

    An acknowledgement is a response with ``ack_status``; its ``Location`` header (``ack_from="location"``)
    or its body (``"body"``) is written, a line each, to ``ack_dir/<thread>.txt``. ``done`` prints one
    line, ``BENCH {json}``, with the counts and the latency percentiles (microseconds)."""
    if ack_from not in {"location", "body"}:
        raise ValueError(ack_from)
    header_table = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
    return f"""-- generated by scripts/bench_http.py
local threads = {{}}
local path = {lua_string(path)}
local headers = {{{header_table}}}
local prefix, suffix = {lua_string(prefix)}, {lua_string(suffix)}
local ack_status, ack_from, ack_dir = {ack_status}, {lua_string(ack_from)}, {lua_string(str(ack_dir))}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  n, acks, others, other_status = 0, 0, 0, 0
  out = io.open(ack_dir .. "/" .. tid .. ".txt", "w")
  out:setvbuf("line")
end

function request()
  n = n + 1
  return wrk.format("POST", path, headers, prefix .. tid .. "-" .. n .. suffix)
end

function response(status, hdrs, body)
  if status == ack_status then
    acks = acks + 1
    if ack_from == "location" then out:write(hdrs["Location"] or "", "\\n") else out:write(body, "\\n") end
  else
    others = others + 1
    other_status = status
  end
end

function done(summary, latency, requests)
  local acks, others, other_status = 0, 0, 0
  for _, t in ipairs(threads) do
    acks = acks + t:get("acks")
    others = others + t:get("others")
    if t:get("other_status") ~= 0 then other_status = t:get("other_status") end
  end
  local e = summary.errors
  io.write(string.format(
    '{BENCH_LINE}{{"requests": %d, "duration_us": %d, "acks": %d, "others": %d, "other_status": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"errors": {{"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}}}\\n',
    summary.requests, summary.duration, acks, others, other_status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def wrk_result(stdout: str) -> dict[str, object]:
    """The ``BENCH {json}`` line of a wrk run's output."""
    for line in stdout.splitlines():
        if line.startswith(BENCH_LINE):
            return dict(json.loads(line[len(BENCH_LINE) :]))
    raise ValueError(f"no {BENCH_LINE.strip()} line in wrk's output:\n{stdout}")


@dataclass(frozen=True)
class ProcStat:
    ppid: int
    ticks: int  # user + system, the process itself
    child_ticks: int  # user + system of its children that have exited and been waited for


def parse_proc_stat(line: str) -> ProcStat:
    """``/proc/<pid>/stat``: the fields after the command name, which may hold spaces and parentheses."""
    fields = line[line.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return ProcStat(ppid=int(fields[1]), ticks=utime + stime, child_ticks=cutime + cstime)


def percent(value: float) -> str:
    return f"{value * 100:.1f} %"


# ---------------------------------------------------------------- processes


def proc_stat(pid: int) -> ProcStat | None:
    try:
        return parse_proc_stat(Path(f"/proc/{pid}/stat").read_text())
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat is not None and stat.ppid == pid:
                found.append(int(entry.name))
    return found


def tree_seconds(parent: int) -> float:
    """CPU seconds of ``parent`` and its children, living or exited (a worker or backend that exits
    between two readings moves into the parent's children's time, so differences stay right)."""
    total = 0
    top = proc_stat(parent)
    if top is not None:
        total += top.ticks + top.child_ticks
    for pid in children(parent):
        stat = proc_stat(pid)
        total += stat.ticks + stat.child_ticks if stat else 0
    return total / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text()
    mem_kib = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal"))
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "ram": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "commit": commit or "unknown",
        "python": sys.version.split()[0],
    }


# ---------------------------------------------------------------- PostgreSQL


@dataclass
class Postgres:
    bindir: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/xinfang"

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def version(self) -> str:
        command = [str(self.bindir / "postgres"), "--version"]
        return subprocess.run(command, capture_output=True, text=True).stdout.strip()


@contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    """``scripts/with_postgres.py``'s server, but durable and with ``pg_stat_statements``: fsync and
    synchronous commit are left to ``postgresql.auto.conf`` (``durability``), so that the set-up can
    run without them and the measurement with them, without a restart."""
    sys.path.insert(0, str(SCRIPTS))
    import with_postgres

    bindir = with_postgres.pg_bin()
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    data, port, quiet = tmp / "data", with_postgres.free_port(), subprocess.DEVNULL
    initdb = [str(bindir / "initdb"), "-D", str(data), "-E", "UTF8", "--locale=C.UTF-8", "--auth=trust"]
    initdb += ["-U", "postgres"]
    subprocess.run(with_postgres.as_postgres(initdb), check=True, stdout=quiet)
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c max_connections=50 "
        "-c shared_preload_libraries=pg_stat_statements"
    )
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data)]
    start = [*pg_ctl, "-o", options, "-l", str(tmp / "log"), "-w", "start"]
    subprocess.run(with_postgres.as_postgres(start), check=True, stdout=quiet)
    try:
        createdb = [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "xinfang"]
        subprocess.run(createdb, check=True)
        yield Postgres(bindir=bindir, data=data, port=port)
    finally:
        subprocess.run(with_postgres.as_postgres([*pg_ctl, "-m", "immediate", "stop"]), stdout=quiet)
        shutil.rmtree(tmp, ignore_errors=True)


def durability(on: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            cursor.execute(f"ALTER SYSTEM SET {name} = {'on' if on else 'off'}")
        cursor.execute("SELECT pg_reload_conf()")
        if on:
            cursor.execute("CHECKPOINT")
    time.sleep(0.5)  # the reload reaches every process
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('fsync'), current_setting('synchronous_commit')")
        row = cursor.fetchone()
    assert row == (("on", "on") if on else ("off", "off")), row


# ---------------------------------------------------------------- the product


def production_env(pg: Postgres, var_dir: Path) -> dict[str, str]:
    """Production settings with keys made for this run (``python -m xinfang.local_secrets``)."""
    made = subprocess.run(
        [sys.executable, "-m", "xinfang.local_secrets"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    keys = dict(line.split("=", 1) for line in made.splitlines() if "=" in line)
    return {
        **keys,
        "XINFANG_PRODUCTION": "1",
        "XINFANG_ALLOWED_HOSTS": "127.0.0.1",
        "XINFANG_VAR_DIR": str(var_dir),
        "DATABASE_URL": pg.url,
    }


def prepare() -> str:
    """The world a letter needs, and a signed-in citizen: returns the session cookie's value."""
    from bench_urls import BARE_TABLE_SQL
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from xinfang.accounts.services import citizen_create
    from xinfang.deadlines.services import holidays_load_from_chinese_calendar
    from xinfang.orgs.services import ensure_default_mailboxes

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    ensure_default_mailboxes()
    holidays_load_from_chinese_calendar(actor=None)
    with connection.cursor() as cursor:
        cursor.execute(BARE_TABLE_SQL)
        cursor.execute("CREATE EXTENSION pg_stat_statements")
    citizen = citizen_create(
        real_name="张三",
        id_number="11010519491231002X",
        phone="13800138000",
        password=None,
        phone_verified_at=timezone.now(),
    )
    client = Client()
    client.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@contextmanager
def gunicorn(workers: int, log: Path) -> Iterator[tuple[int, int]]:
    """The product under gunicorn on a free loopback port, with this process's (production)
    environment: yields (port, master pid)."""
    sys.path.insert(0, str(SCRIPTS))
    import with_postgres

    port = with_postgres.free_port()
    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{SCRIPTS}{os.pathsep}{ROOT}",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--chdir",
        str(ROOT),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
        "xinfang.wsgi:application",
    ]
    server = subprocess.Popen(command, env=server_env)
    try:
        wait_until_serving(port, server)
        yield port, server.pid
    except BaseException:
        print(f"gunicorn's log, the end:\n{log.read_text()[-4000:] if log.exists() else ''}", file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            status, _, _ = http_request(port, "GET", "/")
        except OSError:
            time.sleep(0.3)
            continue
        if status < 500:
            return
        raise SystemExit(f"the product answered {status} at start-up")
    raise SystemExit("gunicorn did not answer within 120 s")


def http_request(
    port: int, method: str, path: str, *, body: str = "", headers: Mapping[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, str]:
    """One request, marked HTTPS as the production proxy marks it; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        sent = {**PROXIED, **(headers or {})}
        connection.request(method, path, body=body.encode() or None, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


def cookie_value(headers: http.client.HTTPMessage, name: str) -> str:
    for header in headers.get_all("Set-Cookie") or []:
        key, _, rest = header.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0]
    raise SystemExit(f"no {name} cookie set")


# ---------------------------------------------------------------- one side of the measurement


@dataclass
class Side:
    name: str
    path: str
    headers: dict[str, str]
    prefix: str
    suffix: str
    ack_status: int
    ack_from: str
    acks: list[str] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)
    wrk: dict[str, object] = field(default_factory=dict)
    top: list[tuple[int, str]] = field(default_factory=list)


def portal_side(port: int, session: str) -> Side:
    """The submit path, with the form as the page serves it: the CSRF cookie from the page, and a
    check that every field sent is a field of the form (a renamed field fails here, not silently)."""
    from django.conf import settings

    path = f"/m/{MAILBOX}/write/"
    cookies = f"{settings.SESSION_COOKIE_NAME}={session}"
    status, headers, page = http_request(port, "GET", path, headers={"Cookie": cookies})
    if status != 200:
        raise SystemExit(f"GET {path} as the signed-in citizen answered {status}")
    csrf = cookie_value(headers, settings.CSRF_COOKIE_NAME)
    fields = {**LETTER, "csrfmiddlewaretoken": csrf}
    missing = set(fields) - form_field_names(page) - {"text"}
    if missing or "text" not in form_field_names(page):
        raise SystemExit(f"the write form has no field {sorted(missing) or ['text']}")
    prefix, suffix = body_around_seq(fields, "text", TEXT)
    origin = f"https://127.0.0.1:{port}"
    request_headers = {
        **PROXIED,
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{cookies}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "Origin": origin,
        "Referer": origin + path,
        "Accept-Language": "zh-CN",
    }
    return Side("portal submit", path, request_headers, prefix, suffix, 302, "location")


def bare_side() -> Side:
    from bench_urls import BARE_PATH

    prefix, suffix = body_around_seq({}, "body", "bare {seq}")
    prefix = prefix.lstrip("&")
    headers = {**PROXIED, "Content-Type": "application/x-www-form-urlencoded"}
    return Side("bare insert", BARE_PATH, headers, prefix, suffix, 200, "body")


def warm_up(port: int, side: Side, count: int) -> None:
    """A few requests first, so both workers have their per-process caches and connections."""
    for n in range(count):
        status, headers, body = http_request(
            port, "POST", side.path, body=f"{side.prefix}w-{n}{side.suffix}", headers=side.headers
        )
        if status != side.ack_status:
            raise SystemExit(f"warm-up {side.name}: {status}\n{body[:2000]}")
        side.acks.append(headers.get("Location", "") if side.ack_from == "location" else body)


# PostgreSQL's own foreign-key checks (run by its triggers, not sent by Django): pg_stat_statements
# lists them beside the statements the workers send.
FK_CHECK = "SELECT 1 FROM ONLY % FOR KEY SHARE OF x"


def stat_statements() -> tuple[int, int, int]:
    """Statements sent, foreign-key checks and COMMITs since the last reset (this script's own left out)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(calls) FILTER (WHERE query NOT LIKE %s), 0), "
            "coalesce(sum(calls) FILTER (WHERE query LIKE %s), 0), "
            "coalesce(sum(calls) FILTER (WHERE upper(query) = 'COMMIT'), 0) "
            "FROM pg_stat_statements WHERE query NOT LIKE '%%pg_stat_statements%%'",
            [FK_CHECK, FK_CHECK],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def top_statements(limit: int = 30) -> list[tuple[int, str]]:
    """The statements run most often since the last reset, shortened: where a letter's SQL goes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements "
            "WHERE query NOT LIKE '%%pg_stat_statements%%' ORDER BY calls DESC LIMIT %s",
            [limit],
        )
        return [(int(calls), str(query)) for calls, query in cursor.fetchall()]


def next_xid() -> int:
    """The next transaction id: the ids assigned between two readings are the write transactions and
    subtransactions (savepoints that wrote) of that time; reading it assigns none."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def reset_statements() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_statements_reset()")


def rows_written(side: Side) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        table = "bench_bare_row" if side.ack_from == "body" else "letters_letter"
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  (one of two fixed names)
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def measure(side: Side, *, port: int, master: int, postmaster: int, seconds: int, connections: int, tmp: Path) -> None:
    ack_dir = tmp / side.name.replace(" ", "-")
    ack_dir.mkdir()
    script = tmp / f"{ack_dir.name}.lua"
    script.write_text(
        lua_script(
            path=side.path,
            headers=side.headers,
            prefix=side.prefix,
            suffix=side.suffix,
            ack_status=side.ack_status,
            ack_from=side.ack_from,
            ack_dir=ack_dir,
        )
    )
    threads = min(connections, len(os.sched_getaffinity(0)))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script)]
    rows_before, xid_before = rows_written(side), next_xid()
    web_before, pg_before = tree_seconds(master), tree_seconds(postmaster)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    reset_statements()
    run = subprocess.run([*command, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True)
    time.sleep(1)  # the requests in flight when wrk stopped finish
    statements, fk_checks, commits = stat_statements()
    side.top = top_statements()
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    web_after, pg_after = tree_seconds(master), tree_seconds(postmaster)
    rows, xids = rows_written(side) - rows_before, next_xid() - xid_before
    side.wrk = wrk_result(run.stdout)
    side.acks += [line for path in sorted(ack_dir.glob("*.txt")) for line in path.read_text().splitlines()]
    acked = int(str(side.wrk["acks"]))
    per_row = 1000 / max(rows, 1)
    side.figures = {
        "per_second": acked / (int(str(side.wrk["duration_us"])) / 1e6),
        "acked": acked,
        "rows": rows,
        "p50_ms": int(str(side.wrk["p50_us"])) / 1000,
        "p99_ms": int(str(side.wrk["p99_us"])) / 1000,
        "web_ms": (web_after - web_before) * per_row,
        "pg_ms": (pg_after - pg_before) * per_row,
        "wrk_ms": (wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime) * per_row,
        "statements": statements / max(rows, 1),
        "fk_checks": fk_checks / max(rows, 1),
        "commits": commits / max(rows, 1),
        "xids": xids / max(rows, 1),
    }


# ---------------------------------------------------------------- written whole


def refusals(side: Side) -> list[str]:
    """A side whose requests were not acknowledged measured something else (a redirect, an error page)."""
    acked, others = int(str(side.wrk["acks"])), int(str(side.wrk["others"]))
    if acked == 0 or others:
        return [f"{side.name}: {acked} acknowledged, {others} other responses (the last: {side.wrk['other_status']})"]
    return []


def check_bare(side: Side) -> list[str]:
    from django.db import connection

    ids = [int(line) for line in side.acks]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, body FROM bench_bare_row WHERE id = ANY(%s)", [ids])
        found = dict(cursor.fetchall())
    problems = [f"bare row {i} acknowledged but missing" for i in ids if i not in found]
    problems += [f"bare row {i} holds {body!r}" for i, body in found.items() if not re.fullmatch(r"bare \S+", body)]
    if len(set(ids)) != len(ids):
        problems.append(f"{len(ids) - len(set(ids))} bare rows acknowledged twice")
    return problems


def check_letters(side: Side) -> list[str]:
    """Every acknowledged letter: present once, with its own text, a tracking number of its own,
    the timeline row of its receipt and the log's receipt entry."""
    from xinfang.audit.models import AuditEntry, AuditKind
    from xinfang.audit.services import RECEIPT_SUBJECT
    from xinfang.letters.models import Letter, LetterEvent

    matches = [RECEIPT_PATH.search(location) for location in side.acks]
    if not all(matches):
        return [f"acknowledgements that are not a receipt page: {side.acks[matches.index(None)]!r} …"]
    ids = [match.group(1) for match in matches if match]
    rows = Letter.objects.filter(public_id__in=ids).values_list("public_id", "subject", "text", "tracking_number")
    letters = {str(pk): (subject, text, number) for pk, subject, text, number in rows}
    pattern = re.compile(re.escape(TEXT).replace(re.escape(SEQ), r"(\S+)"))
    seqs = [m.group(1) for _, text, _ in letters.values() if (m := pattern.fullmatch(text))]
    numbers = {number for _, _, number in letters.values() if number}
    received = LetterEvent.objects.filter(letter__public_id__in=ids, action="receive")
    logged = AuditEntry.objects.filter(kind=AuditKind.LETTER_RECEIPT, subject_type=RECEIPT_SUBJECT)
    failed = {
        f"{len(set(ids)) - len(letters)} acknowledged letters missing": len(letters) != len(set(ids)),
        f"{len(ids) - len(set(ids))} letters acknowledged twice": len(set(ids)) != len(ids),
        "letters with another text": len(seqs) != len(letters),
        "a letter's text stored twice": len(set(seqs)) != len(seqs),
        "letters with another subject": any(subject != SUBJECT for subject, _, _ in letters.values()),
        "tracking numbers missing or shared": len(numbers) != len(letters),
        "letters without the timeline row of their receipt": received.count() != len(letters),
        "letters without their receipt in the log": logged.filter(subject_id__in=numbers).count() != len(numbers),
    }
    return [problem for problem, happened in failed.items() if happened]


# ---------------------------------------------------------------- the report


TABLE_HEAD = (
    "| path | letters/s | p50 / p99 | web CPU / letter | PostgreSQL CPU / letter | wrk CPU / letter "
    "| SQL / letter (sent + FK checks) | COMMIT / letter | xids / letter | letters |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
)


def report(bare: Side, portal: Side, *, info: Mapping[str, str], args: argparse.Namespace) -> str:
    ratio = portal.figures["per_second"] / max(bare.figures["per_second"], 1e-9)
    rows = []
    for side in (bare, portal):
        f = side.figures
        rows.append(
            f"| {side.name} | **{f['per_second']:,.0f}** | {f['p50_ms']:.1f} / {f['p99_ms']:.1f} ms | "
            f"{f['web_ms']:.2f} ms | {f['pg_ms']:.2f} ms | {f['wrk_ms']:.2f} ms | "
            f"{f['statements']:.1f} + {f['fk_checks']:.1f} | "
            f"{f['commits']:.2f} | {f['xids']:.2f} | {f['acked']:,.0f} acknowledged, {f['rows']:,.0f} written |"
        )
    errors = "; ".join(f"{side.name}: {json.dumps(side.wrk['errors'])}" for side in (bare, portal))
    letters = max(portal.figures["rows"], 1)
    statements = "\n".join(f"{calls / letters:5.2f}  {query}" for calls, query in portal.top[:16])
    return f"""## `make bench`: intake over HTTP against a bare insert (issue 17 §2) — {info["date"]}

**Machine**: {info["nproc"]} cores ({info["cpu"]}), {info["ram"]}; load average (1, 5, 15 min)
{info["load_before"]} before the run, {info["load_after"]} after it — **the machine is shared**: other
sessions' tests run beside the benchmark, and wrk itself runs on the same cores. {info["postgres"]}
(fsync, synchronous commit and full-page writes **on** for the measurement), Python {info["python"]}.
**Commit**: `{info["commit"]}` (the working tree as it was at the time of the run).

**Command**: `make bench` (`scripts/bench_http.py --seconds {args.seconds} --connections {args.connections}
--workers {args.workers}`): gunicorn {args.workers} sync workers, production settings
(`XINFANG_PRODUCTION=1`, keys generated for the run, connection reuse at its default), requests
marked HTTPS with `X-Forwarded-Proto` as the TLS proxy does; wrk, {args.connections} connections,
{args.seconds} s a side, bare insert first. CPU per letter from `/proc/<pid>/stat` of the gunicorn
master and workers and of the postmaster and its children; statements sent by the workers (BEGIN,
COMMIT and the connection's health check included), PostgreSQL's foreign-key checks and explicit
`COMMIT`s from `pg_stat_statements`, transaction ids assigned (write transactions and writing
savepoints; the bare insert commits in autocommit, without a `COMMIT` statement) from
`pg_current_snapshot()`, all per row written (rows written ≥ acknowledged:
the requests in flight when wrk stops are written but not counted by wrk).

{TABLE_HEAD}
{rows[0]}
{rows[1]}

**Ratio** (portal submit ÷ bare insert, same run, same server): **{ratio:.3f}** ({percent(ratio)}; target ≥ 0.5).
**Written whole**: every acknowledged letter was found once, with its own text, its own tracking number,
the timeline row of its receipt and its receipt entry in the log; every acknowledged bare row was found.
Worker RSS after the run: {info["rss"]}. wrk's socket errors: {errors}.

The portal submit's statements per letter written, most frequent first (`pg_stat_statements`, shortened):

```
{statements}
```
"""


def add_to_docs(section: str) -> None:
    """Newest first, as docs/benchmarks.md keeps its sections: before the first section."""
    docs = ROOT / "docs" / "benchmarks.md"
    text = docs.read_text()
    at = text.index("\n## ") + 1 if "\n## " in text else len(text)
    docs.write_text(text[:at] + section + "\n" + text[at:])


# ---------------------------------------------------------------- main


def run(args: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it when run as root)")
    load_before = "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-"))
    try:
        with throwaway_postgres() as pg:
            os.environ.update(production_env(pg, tmp / "var"))
            os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
            sys.path[:0] = [str(SCRIPTS), str(ROOT)]
            import django
            from django.db import connection

            django.setup()
            durability(False)
            session = prepare()
            durability(True)
            with gunicorn(args.workers, tmp / "gunicorn.log") as (port, master):
                bare, portal = bare_side(), portal_side(port, session)
                for side in (bare, portal):
                    warm_up(port, side, args.workers * 5)
                for side in (bare, portal):
                    print(f"bench: {side.name}, {args.seconds} s …", flush=True)
                    measure(
                        side,
                        port=port,
                        master=master,
                        postmaster=pg.postmaster_pid(),
                        seconds=args.seconds,
                        connections=args.connections,
                        tmp=tmp,
                    )
                rss = ", ".join(f"{rss_mib(pid):.0f} MiB" for pid in sorted(children(master)))
            problems = [*refusals(bare), *refusals(portal), *check_bare(bare), *check_letters(portal)]
            postgres = pg.version()
            connection.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    now = dt.datetime.now(dt.UTC)
    info = {
        **machine(),
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_before,
        "load_after": "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg()),
        "rss": rss,
        "postgres": postgres,
    }
    section = report(bare, portal, info=info, args=args)
    print(section)
    if problems:
        print("\n".join(["bench: FAILED, nothing added to docs/benchmarks.md:", *problems[:50]]), file=sys.stderr)
        return 1
    if not args.no_docs:
        add_to_docs(section)
        print("bench: added to docs/benchmarks.md")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20, help="wrk's duration on each side (default 20)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
