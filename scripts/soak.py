"""``make soak``: mixed load on two web processes and two workers, with faults (issue 17 §4).

    .venv/bin/python scripts/soak.py                 # 10 minutes, figures added to docs/benchmarks.md
    .venv/bin/python scripts/soak.py --minutes 2 --no-docs

1. A throwaway PostgreSQL (``bench_http.throwaway_postgres``): fsync, synchronous commit and full-page
   writes off while the schema and the unit tree load, **on** for the run, as in production (an
   acknowledged commit must survive the crash restart).
2. Migrate, the unit tree, the mailboxes, the holidays; 20 citizens (with e-mail addresses), an acceptor
   at the Guangdong front desk, a handler and a leader at the unit routing sends the letters to; their
   sessions are made as the sign-in pages make them (staff: both factors).
3. Local receiving sides that record every delivery: an SMS gateway (HTTP, ``Idempotency-Key``) and an
   SMTP server (``Message-ID``); an S3 server (moto) for the stored files. Each process has a
   ``XINFANG_VAR_DIR`` of its own, as on its own host: nothing is shared but PostgreSQL and the bucket.
4. Two web processes (gunicorn, one sync worker each, production settings: ``XINFANG_PRODUCTION=1``,
   keys made for the run, requests marked HTTPS as the TLS proxy marks them) and two
   ``manage.py run_worker``. A load balancer in the script sends each request to the two processes in
   turn and, when one refuses the connection (nothing was sent), to the other (nginx's
   ``proxy_next_upstream error``); a request lost after it was sent is not retried (it may have acted).
5. For ``--minutes``: writers submit letters through the portal and read the receipt; the front desk
   accepts and transfers them; the handler starts handling and drafts the reply; the leader approves it
   (the reply goes to the writer); readers look letters up by tracking number and query code from
   addresses of their own, and writers open their letters and download the written notices.
6. Faults: every minute a web process (whole: master and worker) and, 15 s later, a worker are killed
   with SIGKILL and restarted a second later; in the middle of the run PostgreSQL is restarted with
   ``pg_ctl restart -m immediate`` (a crash: no shutdown checkpoint). A process that exits by itself
   (a worker whose database went away) is restarted a second later too, as systemd's
   ``Restart=always`` would.
7. Then the load stops, the faults stop, and the workers drain: every delivery sent, no task waiting.
   Timing knobs for a run of minutes, not hours: a task or delivery held by a killed worker is taken
   back after ``XINFANG_TASK_LEASE_SECONDS=60`` (production: 600), retries start 5 s apart.
8. Checks: every acknowledged letter exists once with its own text, its receipt in the timeline and its
   receipt notification; every acknowledged transfer and reply is in the timeline; every delivery is
   sent and its key reached its gateway, no key the database does not know did (repeats of a key after
   a worker died mid-send are counted: the receiving side drops them by key); ``manage.py audit_verify``
   passes. Reported: requests and errors by kind, the error rate in the PostgreSQL restart window (from
   the restart to 10 s after the server is back) and after each web kill, and the figures above.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import http.client
import http.server
import itertools
import json
import logging
import os
import queue
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
sys.path[:0] = [str(SCRIPTS), str(ROOT)]

import bench_http  # noqa: E402  (the throwaway PostgreSQL and the production environment of make bench)
import with_postgres  # noqa: E402

MAILBOX = "gd"
WRITE_PATH = f"/m/{MAILBOX}/write/"
LETTER = {**bench_http.LETTER, "letter_type": "inquiry", "subject": "户口迁移材料咨询"}
TEXT = "请问从外省迁入广州市天河区的户口需要哪些材料？编号 {seq}。"
NAMES, GIVEN = "张王李赵刘陈杨黄周吴", "伟芳娜敏静丽强磊军洋"  # the writers' names (digits are refused)
REPLY = "经核实，迁入天河区户口需提供身份证、户口簿和准迁证明，可到辖区派出所办理。"
PASSWORD = secrets.token_urlsafe(16)  # the staff sign in by the sessions made here, never by it
HOST = "127.0.0.1"  # the public name the load balancer passes on (ALLOWED_HOSTS)
ORIGIN = "https://127.0.0.1"
HEADERS = {**bench_http.PROXIED, "Host": HOST, "Accept-Language": "zh-CN"}
TIMEOUT = 30.0
RESTART_DELAY = 1.0
RESTART_WINDOW_AFTER = 10.0  # seconds after PostgreSQL is back that still count as its restart window
KILL_WINDOW = (-2.0, 10.0)  # around a web kill: the requests in flight when it died, and the next 10 s
RECEIPT = re.compile(r"/my/letters/([0-9a-f-]{36})/submitted/")
NOTICE_LINK = re.compile(r'href="(/my/notices/[0-9a-f-]{36}/download)"')
KEY = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# ---------------------------------------------------------------- bookkeeping (tests/test_soak.py)


@dataclass(frozen=True)
class Fault:
    at: float  # seconds after the load began
    what: str  # "web", "worker" or "postgres"


def fault_plan(minutes: float) -> list[Fault]:
    """A web process killed 5 s into every minute, a worker 20 s in, PostgreSQL restarted 35 s into the
    middle minute (between two web kills, so that their errors are told apart); nothing in the last 10 s."""
    whole = max(1, int(minutes))
    plan = [Fault(60 * k + 5, "web") for k in range(whole)] + [Fault(60 * k + 20, "worker") for k in range(whole)]
    plan.append(Fault(60 * (whole // 2) + 35, "postgres"))
    return sorted((f for f in plan if f.at < minutes * 60 - 10), key=lambda f: f.at)


@dataclass(frozen=True)
class Outcome:
    at: float  # when the request began, seconds after the load began
    op: str
    result: str  # "ok", or what went wrong: "unavailable", "lost", "timeout", "http 500" …


def errors_between(outcomes: Sequence[Outcome], start: float, end: float) -> tuple[int, int]:
    """(failed, all) requests that began in [start, end)."""
    inside = [o for o in outcomes if start <= o.at < end]
    return sum(o.result != "ok" for o in inside), len(inside)


def outside(outcomes: Sequence[Outcome], windows: Sequence[tuple[float, float]]) -> tuple[int, int]:
    """(failed, all) requests that began in none of the windows: what went wrong without a fault."""
    rest = [o for o in outcomes if not any(start <= o.at < end for start, end in windows)]
    return sum(o.result != "ok" for o in rest), len(rest)


def delivery_problems(sent: Mapping[str, str], received: Mapping[str, Sequence[str]]) -> tuple[list[str], int]:
    """``sent``: each delivery's key → its channel, as the database has them; ``received``: channel →
    the keys its receiving side saw, repeats included. Every key must arrive, and none the database
    does not know; returns the problems and how many arrivals repeated a key already seen."""
    problems, repeats = [], 0
    for channel in sorted(set(sent.values()) | set(received)):
        expected = {key for key, on in sent.items() if on == channel}
        seen = Counter(received.get(channel, ()))
        if missing := expected - set(seen):
            problems.append(f"{channel}: {len(missing)} deliveries never reached the receiving side")
        if unknown := set(seen) - expected:
            problems.append(f"{channel}: {len(unknown)} keys arrived that the database does not know")
        repeats += sum(n - 1 for n in seen.values())
    return problems, repeats


def field_value(page: str, name: str) -> str | None:
    """The value of the input called ``name`` in a page (a form's version), or None if not offered."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    return found.group(1) if found else None


def set_cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    cookies = {}
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


# ---------------------------------------------------------------- the receiving sides


@dataclass
class Received:
    keys: dict[str, list[str]] = field(default_factory=lambda: {"sms": [], "email": []})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, channel: str, key: str) -> None:
        with self.lock:
            self.keys[channel].append(key)


@contextmanager
def sms_gateway(received: Received) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            received.add("sms", self.headers["Idempotency-Key"])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/send"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def smtp_server(received: Received) -> Iterator[int]:
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = email.message_from_bytes(envelope.content)
            found = KEY.search(str(message.get("Message-ID", "")))
            received.add("email", found.group(0) if found else "no Message-ID")
            return "250 OK"

    port = with_postgres.free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@contextmanager
def s3_server() -> Iterator[dict[str, str]]:
    """An S3 server (moto's, on loopback) and a bucket: the variables every process gets."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "XINFANG_STORAGE": "s3",
        "XINFANG_S3_BUCKET": "xinfang-soak",
        "XINFANG_S3_ENDPOINT_URL": f"http://{host}:{port}",
        "XINFANG_S3_REGION": "us-east-1",
        "XINFANG_S3_ACCESS_KEY_ID": "soak",
        "XINFANG_S3_SECRET_ACCESS_KEY": "soak-secret",
    }
    credentials = {"aws_access_key_id": env["XINFANG_S3_ACCESS_KEY_ID"],
                   "aws_secret_access_key": env["XINFANG_S3_SECRET_ACCESS_KEY"]}  # fmt: skip
    client = boto3.client("s3", endpoint_url=env["XINFANG_S3_ENDPOINT_URL"], region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=env["XINFANG_S3_BUCKET"])
    try:
        yield env
    finally:
        server.stop()


# ---------------------------------------------------------------- processes


@dataclass
class Managed:
    """A process as a supervisor keeps it: started again after every exit. Its CPU time (with its
    children's) is read every half second and summed over its lives."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0
    exits: list[int] = field(default_factory=list)  # exit codes of exits the script did not cause
    cpu: float = 0.0  # seconds, earlier lives
    seen: float = 0.0  # seconds, this life as last read
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def read(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.seen = bench_http.tree_seconds(self.process.pid)

    def ended(self) -> None:
        self.cpu, self.seen = self.cpu + self.seen, 0.0

    def kill(self) -> None:
        """SIGKILL the process and its children (a gunicorn master first, so it spawns no new worker)."""
        with self.lock:
            assert self.process is not None
            self.read()
            pids = [self.process.pid, *bench_http.children(self.process.pid)]
            for pid in pids:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait()
            self.ended()
            self.kills += 1
            time.sleep(RESTART_DELAY)
            self.start()

    def watch(self) -> None:
        with self.lock:
            if self.process is not None and (code := self.process.poll()) is not None:
                self.ended()  # as last read, up to half a second before it exited
                self.exits.append(code)
                time.sleep(RESTART_DELAY)
                self.start()
            else:
                self.read()

    def stop(self) -> None:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                return
            self.read()
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.ended()


def web_process(name: str, port: int, env: dict[str, str], tmp: Path) -> Managed:
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(ROOT), "--workers", "1",
        "--worker-class", "sync", "--timeout", "60", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        "xinfang.wsgi:application",
    ]  # fmt: skip
    return Managed(name, command, own_host(env, tmp / name), tmp / name / "process.log")


def worker_process(name: str, env: dict[str, str], tmp: Path) -> Managed:
    command = [sys.executable, str(ROOT / "manage.py"), "run_worker", "-v", "0"]
    return Managed(name, command, own_host(env, tmp / name), tmp / name / "process.log")


def own_host(env: dict[str, str], var_dir: Path) -> dict[str, str]:
    var_dir.mkdir(parents=True, exist_ok=True)
    return {**env, "XINFANG_VAR_DIR": str(var_dir)}


def wait_until_serving(port: int, deadline: float = 180) -> None:
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        try:
            status, _, _ = bench_http.http_request(port, "GET", "/lookup/", headers={"Host": HOST})
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the web process on port {port} did not answer within {deadline:.0f} s")


# ---------------------------------------------------------------- the load


def shuffler(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311  (the shape of the load, not a secret)


class Unavailable(Exception):
    """No web process accepted the connection."""


class Lost(Exception):
    """The connection failed after the request was sent: it may or may not have acted."""


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    cookies: dict[str, str]
    body: str


class Balancer:
    """Each request to the next web process in turn; to the other one when a process refuses the
    connection (nothing was sent, so nothing can have happened twice)."""

    def __init__(self, ports: Sequence[int]) -> None:
        self.ports = list(ports)
        self.turn = itertools.count()

    def send(
        self, method: str, path: str, *, cookies: Mapping[str, str], form: Mapping[str, str] | None, source: str
    ) -> Reply:
        headers = {**HEADERS, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN}
        first = next(self.turn)
        for offset in range(len(self.ports)):
            port = self.ports[(first + offset) % len(self.ports)]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0))
            try:
                try:
                    connection.connect()
                except ConnectionRefusedError:
                    continue
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read().decode(errors="replace")
                return Reply(response.status, response.headers.get("Location", ""), set_cookies(response.headers), data)
            except TimeoutError:
                raise
            except (http.client.HTTPException, OSError) as exc:
                raise Lost(repr(exc)) from exc
            finally:
                connection.close()
        raise Unavailable


@dataclass
class Person:
    name: str
    cookies: dict[str, str]

    @property
    def csrf(self) -> str:
        return self.cookies["csrftoken"]


def anonymous() -> Person:
    return Person("visitor", {"csrftoken": secrets.token_hex(16)})


@dataclass
class Tally:
    letters: dict[str, str] = field(default_factory=dict)  # acknowledged: public id → the number in its text
    transfers: set[str] = field(default_factory=set)
    replies: set[str] = field(default_factory=set)
    found: list[tuple[str, str, int]] = field(default_factory=list)  # tracking number, query code, writer
    notices: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Load:
    def __init__(self, balancer: Balancer, cast: Cast, *, pace: float) -> None:
        self.balancer, self.cast, self.pace = balancer, cast, pace
        self.tally = Tally()
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.desk: queue.Queue[str] = queue.Queue()
        self.work: queue.Queue[str] = queue.Queue()
        self.approve: queue.Queue[str] = queue.Queue()
        self.tries: Counter[str] = Counter()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def call(
        self, op: str, method: str, path: str, person: Person, *, form: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200,), source: str = "127.0.0.1",
    ) -> Reply | None:  # fmt: skip
        at = self.now()
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": person.csrf}
        try:
            reply = self.balancer.send(method, path, cookies=person.cookies, form=form, source=source)
            result = "ok" if reply.status in ok else f"http {reply.status}"
        except Unavailable:
            reply, result = None, "unavailable"
        except TimeoutError:
            reply, result = None, "timeout"
        except Lost:
            reply, result = None, "lost"
        with self.tally.lock:
            self.tally.outcomes.append(Outcome(at, op, result))
        return reply if result == "ok" else None

    def again(self, line: queue.Queue[str], public_id: str) -> None:
        """Back in the line after a failure (at most 20 tries), after a pause."""
        self.tries[public_id] += 1
        if self.tries[public_id] < 20:
            self.stop.wait(1)
            line.put(public_id)

    # -- the people

    def writer(self, index: int) -> None:
        rng = shuffler(index)
        for n in itertools.count(1):
            if self.stop.is_set():
                return
            who = rng.randrange(len(self.cast.citizens))
            person, seq = self.cast.citizens[who], f"{index}-{n}"
            form = {**LETTER, "text": TEXT.format(seq=seq)}
            sent = self.call("submit", "POST", WRITE_PATH, person, form=form, ok=(302,))
            if sent is not None and (match := RECEIPT.search(sent.location)):
                with self.tally.lock:
                    self.tally.letters[match.group(1)] = seq
                self.desk.put(match.group(1))
                self.read_receipt(person, match.group(0), sent.cookies, who)
            self.stop.wait(self.pace * rng.uniform(0.5, 1.5))

    def read_receipt(self, person: Person, path: str, cookies: dict[str, str], who: int) -> None:
        page = self.call("receipt", "GET", path, Person(person.name, {**person.cookies, **cookies}))
        number = re.search(r'data-testid="tracking-number">([^<]+)<', page.body) if page else None
        code = re.search(r'data-testid="query-code">([^<]+)<', page.body) if page else None
        if number and code:
            with self.tally.lock:
                self.tally.found.append((number.group(1), code.group(1), who))

    def front_desk(self) -> None:
        person, rng = self.cast.acceptor, shuffler(7)
        while not self.stop.is_set():
            if rng.random() < 0.1:
                self.call("desk queue", "GET", "/console/desk/", person)
            try:
                public_id = self.desk.get(timeout=1)
            except queue.Empty:
                continue
            path = f"/console/desk/{public_id}/"
            page = self.call("desk letter", "GET", path, person)
            if page is None:
                self.again(self.desk, public_id)
                continue
            version = field_value(page.body, "transfer-version")
            if version is None:  # transferred already: an earlier answer was lost on its way back
                self.work.put(public_id)
                continue
            form = {"action": "transfer", "transfer-version": version, "transfer-mode": "transfer"}
            if self.call("transfer", "POST", path, person, form=form, ok=(302,)) is None:
                self.again(self.desk, public_id)
                continue
            with self.tally.lock:
                self.tally.transfers.add(public_id)
            self.work.put(public_id)

    def step(self, line: queue.Queue[str], person: Person, slug: str, fields: Mapping[str, str]) -> str | None:
        """Take a letter from ``line``, open its page and do ``slug`` if it is offered: the letter's id
        when done or no longer offered (done by an earlier attempt), None when it must be tried again."""
        try:
            public_id = line.get(timeout=1)
        except queue.Empty:
            return None
        path = f"/console/letters/{public_id}/"
        page = self.call(f"{slug} page", "GET", path, person)
        if page is None:
            self.again(line, public_id)
            return None
        version = field_value(page.body, f"{slug}-version")
        if version is None:
            return public_id
        form = {f"{slug}-version": version, **{f"{slug}-{k}": v for k, v in fields.items()}}
        if self.call(slug, "POST", f"{path}do/{slug}/", person, form=form, ok=(302,)) is None:
            self.again(line, public_id)
            return None
        return public_id

    def handler(self) -> None:
        started: queue.Queue[str] = queue.Queue()
        while not self.stop.is_set():
            if (public_id := self.step(self.work, self.cast.handler, "start_handling", {})) is not None:
                started.put(public_id)
            if (public_id := self.step(started, self.cast.handler, "draft_reply", {"text": REPLY})) is not None:
                self.approve.put(public_id)

    def leader(self) -> None:
        while not self.stop.is_set():
            if (public_id := self.step(self.approve, self.cast.leader, "approve_reply", {"text": ""})) is not None:
                with self.tally.lock:
                    self.tally.replies.add(public_id)

    def reader(self) -> None:
        """Look-ups from addresses of their own (the brake counts per address), and writers reading."""
        rng = shuffler(99)
        for n in itertools.count():
            if self.stop.wait(self.pace * rng.uniform(0.25, 0.75)):
                return
            with self.tally.lock:
                found = rng.choice(self.tally.found) if self.tally.found else None
            if found is None:
                continue
            number, code, who = found
            source = f"127.0.{2 + n // 250 % 250}.{1 + n % 250}"
            visitor = anonymous()
            form = {"tracking_number": number, "query_code": code}
            answer = self.call("look-up", "POST", "/lookup/", visitor, form=form, ok=(302,), source=source)
            if answer is not None:
                visitor.cookies.update(answer.cookies)
                self.call("look-up letter", "GET", urllib.parse.urlsplit(answer.location).path, visitor, source=source)
            self.writer_reads(self.cast.citizens[who], rng)

    def writer_reads(self, person: Person, rng: random.Random) -> None:
        listing = self.call("my letters", "GET", "/my/letters/", person)
        ids = re.findall(r'href="/my/letters/([0-9a-f-]{36})/"', listing.body) if listing else []
        if not ids:
            return
        page = self.call("my letter", "GET", f"/my/letters/{rng.choice(ids)}/", person)
        links = NOTICE_LINK.findall(page.body) if page else []
        if links:
            pdf = self.call("notice download", "GET", rng.choice(links), person)
            if pdf is not None and pdf.body.startswith("%PDF"):
                with self.tally.lock:
                    self.tally.notices += 1

    def run_threads(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.writer, args=(n,), daemon=True) for n in (1, 2)]
        threads += [
            threading.Thread(target=t, daemon=True) for t in (self.front_desk, self.handler, self.leader, self.reader)
        ]
        for thread in threads:
            thread.start()
        return threads


# ---------------------------------------------------------------- setting up


@dataclass
class Cast:
    citizens: list[Person]
    acceptor: Person
    handler: Person
    leader: Person


def prepare(citizens: int) -> Cast:
    """The world the letters need and the people who act, each with a session as their sign-in makes it."""
    from django.core.management import call_command
    from django.utils import timezone

    from xinfang.accounts.id_numbers import check_character
    from xinfang.accounts.models import Role
    from xinfang.accounts.services import citizen_create, staff_create
    from xinfang.console.services import letter_accept_and_assign
    from xinfang.deadlines.services import holidays_load_from_chinese_calendar
    from xinfang.letters.services import letter_submit
    from xinfang.orgs.models import Mailbox, Unit
    from xinfang.orgs.services import ensure_default_mailboxes
    from xinfang.routing.engine import propose_for_letter

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    ensure_default_mailboxes()
    holidays_load_from_chinese_calendar(actor=None)
    people = []
    for n in range(citizens):
        first17 = f"4401061985{n // 28 + 1:02d}{n % 28 + 1:02d}{n:03d}"
        name = NAMES[n % 10] + GIVEN[n // 10 % 10] + "华"
        citizen = citizen_create(
            real_name=name, id_number=first17 + check_character(first17), phone=f"1380013{n:04d}", password=None,
            phone_verified_at=timezone.now(),
        )  # fmt: skip
        citizen.email = f"citizen{n}@soak.example"
        citizen.save(update_fields=["email"])
        people.append(citizen)

    def staff(role: str, unit: Unit) -> Any:
        return staff_create(username=f"soak-{role}", unit=unit, roles=[role], actor=None, password=PASSWORD,
                            full_name=role, email=f"{role}@soak.example")  # fmt: skip

    mailbox = Mailbox.objects.get(slug=MAILBOX)
    acceptor = staff(Role.ACCEPTOR, mailbox.owner)
    probe = letter_submit(
        mailbox=mailbox, actor=people[0], letter_type=LETTER["letter_type"], channel="web", subject=LETTER["subject"],
        text=TEXT.format(seq="probe"), division_code=LETTER["county"], police_type=LETTER["police_type"],
    ).letter  # fmt: skip
    # Through the desk's own path, which makes the department on first use: the unit every letter goes to.
    letter_accept_and_assign(letter=probe, actor=acceptor, unit=propose_for_letter(probe).unit, mode="transfer")
    probe.refresh_from_db()
    unit = probe.handling_unit
    assert unit is not None
    handler, leader = staff(Role.HANDLER, unit), staff(Role.LEADER, unit)
    print(f"soak: letters go to {unit} ({unit.code})", flush=True)
    return Cast(
        [Person(f"citizen {n}", session_of(c, staff=False)) for n, c in enumerate(people)],
        Person("acceptor", session_of(acceptor, staff=True)),
        Person("handler", session_of(handler, staff=True)),
        Person("leader", session_of(leader, staff=True)),
    )


def session_of(user: Any, *, staff: bool) -> dict[str, str]:
    """A signed-in session (staff: with the second factor verified, as tests/console/conftest.py makes it)."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if staff:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            "csrftoken": secrets.token_hex(16)}  # fmt: skip


# ---------------------------------------------------------------- faults


@dataclass
class Faults:
    restart_started: float = 0.0
    restart_ended: float = 0.0
    web_kills: list[float] = field(default_factory=list)
    worker_kills: list[float] = field(default_factory=list)
    pg_cpu: float = 0.0  # seconds of the server's processes before the restart, since the load began
    pg_base: float = 0.0  # the server's CPU seconds when the load began (set-up), or 0 after the restart


def inject(
    plan: Sequence[Fault], load: Load, webs: Sequence[Managed], workers: Sequence[Managed], pg: Any, faults: Faults
) -> None:
    turns = {"web": itertools.cycle(webs), "worker": itertools.cycle(workers)}
    for fault in plan:
        if load.stop.wait(max(0.0, fault.at - load.now())):
            return
        if fault.what == "postgres":
            faults.restart_started = load.now()
            faults.pg_cpu, faults.pg_base = bench_http.tree_seconds(pg.postmaster_pid()) - faults.pg_base, 0.0
            restart_postgres(pg)
            faults.restart_ended = load.now()
            print(f"soak: {faults.restart_started:.0f} s, PostgreSQL restarted in "
                  f"{faults.restart_ended - faults.restart_started:.1f} s", flush=True)  # fmt: skip
            continue
        target = next(turns[fault.what])
        (faults.web_kills if fault.what == "web" else faults.worker_kills).append(load.now())
        print(f"soak: {load.now():.0f} s, SIGKILL {target.name}", flush=True)
        target.kill()


def restart_postgres(pg: Any) -> None:
    """``pg_ctl restart -m immediate``: the server stops without a checkpoint, as in a crash, and
    starts again with the options it was started with (postmaster.opts), recovering from the WAL."""
    command = [str(pg.bindir / "pg_ctl"), "-D", str(pg.data), "-m", "immediate", "-w", "-t", "120",
               "-l", str(pg.data.parent / "log"), "restart"]  # fmt: skip
    subprocess.run(with_postgres.as_postgres(command), check=True, stdout=subprocess.DEVNULL)


def supervise(processes: Sequence[Managed], stop: threading.Event) -> None:
    while not stop.wait(0.5):
        for process in processes:
            process.watch()


# ---------------------------------------------------------------- the end


def drain(deadline: float) -> float:
    """Wait until every delivery is sent (or failed) and no task is waiting or running: seconds taken."""
    from django.db import DatabaseError, connection
    from django_tasks_db.models import DBTaskResult

    from xinfang.notifications.models import Delivery

    start = time.monotonic()
    while time.monotonic() - start < deadline:
        try:
            waiting = Delivery.objects.exclude(status__in=[Delivery.Status.SENT, Delivery.Status.FAILED]).count()
            tasks = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
        except DatabaseError:  # the script's own connection, broken by the restart
            connection.close()
            time.sleep(2)
            continue
        if waiting == 0 and tasks == 0:
            return time.monotonic() - start
        time.sleep(2)
    return -1.0


def check(tally: Tally, received: Received) -> tuple[list[str], dict[str, int]]:
    from xinfang.letters.models import Letter, LetterEvent
    from xinfang.notifications.models import Delivery, Kind, Notification

    problems = []
    rows = dict(Letter.objects.filter(public_id__in=list(tally.letters)).values_list("public_id", "text"))
    texts = {str(k): v for k, v in rows.items()}
    missing = [p for p in tally.letters if p not in texts]
    wrong = [p for p, seq in tally.letters.items() if p in texts and TEXT.format(seq=seq) != texts[p]]
    problems += [f"{len(missing)} acknowledged letters missing"] if missing else []
    problems += [f"{len(wrong)} acknowledged letters with another text"] if wrong else []

    def lacking(ids: set[str] | list[str], **filters: Any) -> int:
        have = set(map(str, LetterEvent.objects.filter(letter__public_id__in=list(ids), **filters)
                       .values_list("letter__public_id", flat=True)))  # fmt: skip
        return len(set(ids) - have)

    for what, ids, filters in (
        ("acknowledged letters without their receipt in the timeline", list(tally.letters), {"action": "receive"}),
        ("acknowledged transfers not in the timeline", tally.transfers, {"to_state": "assigned"}),
        ("acknowledged replies not in the timeline", tally.replies, {"to_state": "replied"}),
    ):
        if n := lacking(ids, **filters):
            problems.append(f"{n} {what}")
    told = set(map(str, Notification.objects.filter(letter__public_id__in=list(tally.letters), kind=Kind.RECEIPT)
                   .values_list("letter__public_id", flat=True)))  # fmt: skip
    if untold := set(tally.letters) - told:
        problems.append(f"{len(untold)} acknowledged letters whose writer was not told of the receipt")
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    if unsent := sum(n for s, n in statuses.items() if s != Delivery.Status.SENT):
        problems.append(f"{unsent} deliveries not sent: {dict(statuses)}")
    sent = {str(k): c for k, c in Delivery.objects.filter(channel__in=["sms", "email"])
            .values_list("idempotency_key", "channel")}  # fmt: skip
    wrong_keys, repeats = delivery_problems(sent, received.keys)
    problems += wrong_keys
    figures = {
        "letters_written": Letter.objects.count() - 1,  # the set-up's probe
        "sms": sum(c == "sms" for c in sent.values()),
        "email": sum(c == "email" for c in sent.values()),
        "repeats": repeats,
        "notifications": Notification.objects.count(),
    }
    return problems, figures


def audit_verify(env: Mapping[str, str]) -> tuple[bool, str]:
    """``manage.py audit_verify`` as an operator runs it: passed, and its last line."""
    command = [sys.executable, str(ROOT / "manage.py"), "audit_verify"]
    run = subprocess.run(command, env=dict(env), capture_output=True, text=True)
    lines = (run.stdout + run.stderr).strip().splitlines()
    return run.returncode == 0, lines[-1] if lines else ""


# ---------------------------------------------------------------- the report


def error_table(outcomes: Sequence[Outcome]) -> str:
    ops = sorted({o.op for o in outcomes})
    lines = ["| request | sent | failed | of which unavailable / lost / timeout / HTTP error |", "|---|--:|--:|---|"]
    for op in ops:
        mine = [o for o in outcomes if o.op == op]
        kinds = Counter(o.result if not o.result.startswith("http") else "http" for o in mine)
        failed = len(mine) - kinds["ok"]
        split = " / ".join(str(kinds[k]) for k in ("unavailable", "lost", "timeout", "http"))
        lines.append(f"| {op} | {len(mine):,} | {failed:,} | {split} |")
    return "\n".join(lines)


def rate(failed: int, total: int) -> str:
    return f"{failed} of {total} ({100 * failed / max(total, 1):.1f} %)"


def report(
    *, args: argparse.Namespace, info: Mapping[str, str], tally: Tally, faults: Faults, figures: Mapping[str, int],
    processes: Sequence[Managed], drained: float, audit: tuple[bool, str], problems: Sequence[str],
    cpu: Mapping[str, float],
) -> str:  # fmt: skip
    outcomes = tally.outcomes
    letters = max(len(tally.letters), 1)
    per_letter = ", ".join(f"{name} {1000 * seconds / letters:.0f} ms" for name, seconds in cpu.items())
    in_all = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in cpu.items())
    back = faults.restart_ended
    restart = errors_between(outcomes, faults.restart_started, back + RESTART_WINDOW_AFTER)
    first_ok = min((o.at for o in outcomes if o.at >= back and o.result == "ok"), default=back) - back
    kill_windows = [(t + KILL_WINDOW[0], t + KILL_WINDOW[1]) for t in faults.web_kills]
    after_kills = [errors_between(outcomes, start, end) for start, end in kill_windows]
    kills = (sum(f for f, _ in after_kills), sum(t for _, t in after_kills))
    calm = outside(outcomes, [*kill_windows, (faults.restart_started, back + RESTART_WINDOW_AFTER)])
    exits = "; ".join(f"{p.name} {len(p.exits)}× (exit {sorted(set(p.exits))})" for p in processes if p.exits)
    killed = Counter(p.name.split("-")[0] for p in processes for _ in range(p.kills))
    verdict = "**passed**: every check below held" if not problems else "**FAILED**: " + "; ".join(problems)
    return f"""## `make soak`: two web processes, two workers, faults (issue 17 §4) — {info["date"]}

**Machine**: {info["nproc"]} cores ({info["cpu"]}), {info["ram"]}; load average {info["load_before"]} before
and {info["load_after"]} after — **shared** with other sessions' work. {info["postgres"]} with fsync,
synchronous commit and full-page writes on; Python {info["python"]}. **Commit**: `{info["commit"]}` and the
working tree as it was at the time of the run.

**Command**: `make soak` (`scripts/soak.py --minutes {args.minutes:g} --pace {args.pace:g}`). Two gunicorn web
processes (one sync worker each) and two `manage.py run_worker`, production settings, each process with a
`XINFANG_VAR_DIR` of its own as on its own host; stored files in an S3 bucket (moto's server on loopback);
deliveries to a local SMS gateway and SMTP server that record every key. Load for {args.minutes:g} minutes:
two writers (submit, then the receipt page), the front desk (accept and transfer), a handler (start
handling, draft the reply), a leader (approve: the reply goes to the writer), a reader (look-up by
tracking number and query code from addresses of its own; the writers' letter pages and notices).
Faults: SIGKILL of a whole web process (master and worker) 5 s into every minute and of a worker 20 s
in, each started again 1 s later; `pg_ctl restart -m immediate` at {faults.restart_started:.0f} s, the server
back {back - faults.restart_started:.1f} s later. The run's timing knobs: task lease 60 s, retries from 5 s.

**Result**: {verdict}.
- **Letters**: {len(tally.letters):,} acknowledged, each checked for its row, its own text, its receipt in the
  timeline and the writer's receipt notification; {figures.get("letters_written", 0):,} written (a letter whose
  answer was lost on the way back is written but not acknowledged). {len(tally.transfers):,} transfers and
  {len(tally.replies):,} replies acknowledged, each checked in the timeline. {len(tally.found):,} receipts
  read, {tally.notices:,} written notices downloaded (rendered by the workers into the bucket).
- **Deliveries**: {figures.get("sms", 0):,} SMS and {figures.get("email", 0):,} e-mails, each checked sent and
  received by its key, and no key received that the database does not know. Arrivals repeating a key:
  {figures.get("repeats", 0)} (a worker killed between sending and recording sends again with the same key,
  which the receiving side drops). The workers had drained {drained:.0f} s after the load stopped.
- **`audit_verify`**: {"passed" if audit[0] else "FAILED"} ({audit[1]}).
- **Processes**: killed: {killed["web"]} web, {killed["worker"]} worker; exited by themselves and started
  again: {exits or "none"}.
- **CPU** from the start of the load to the end of the drain, per acknowledged letter (its whole life here:
  submit, receipt, desk, handling, reply, notices, deliveries, the readers' requests; the start-up of
  every restarted process included): {per_letter}; in all {in_all}. Requests: {len(outcomes) / letters:.1f}
  per letter.

**Error rate**: overall {rate(*errors_between(outcomes, 0, float("inf")))}. **In the PostgreSQL restart
window** (from the restart to 10 s after the server was back): **{rate(*restart)}**; the first request
after it succeeded {first_ok:.1f} s after the server was back. Around each web kill (the requests in flight
when it died and those of the next 10 s), together: {rate(*kills)}. Outside these windows: {rate(*calm)}.

{error_table(outcomes)}
"""


# ---------------------------------------------------------------- main


def production_env(pg: Any, tmp: Path, *, sms_url: str, smtp_port: int, s3: Mapping[str, str]) -> dict[str, str]:
    env = bench_http.production_env(pg, tmp / "soak")
    return {
        **os.environ,
        **env,
        **s3,
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        "XINFANG_SMS_BACKEND": "http",
        "XINFANG_SMS_GATEWAY_URL": sms_url,
        "XINFANG_SMS_GATEWAY_KEY": "soak",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "XINFANG_TASK_LEASE_SECONDS": "60",
        "XINFANG_NOTIFY_RETRY_BASE_SECONDS": "5",
        "XINFANG_LOG_SINK_DIR": str(tmp / "tree-heads"),
        "XINFANG_LOG_LEVEL": "WARNING",
    }


def run(args: argparse.Namespace) -> int:
    load_before = "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-soak-"))
    received = Received()
    with (
        bench_http.throwaway_postgres() as pg,
        sms_gateway(received) as sms_url,
        smtp_server(received) as smtp_port,
        s3_server() as s3,
    ):
        env = production_env(pg, tmp, sms_url=sms_url, smtp_port=smtp_port, s3=s3)
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        bench_http.durability(False)
        cast = prepare(args.citizens)
        bench_http.durability(True)
        connection.close()
        ports = [with_postgres.free_port(), with_postgres.free_port()]
        webs = [web_process(f"web-{n}", port, env, tmp) for n, port in enumerate(ports, 1)]
        workers = [worker_process(f"worker-{n}", env, tmp) for n in (1, 2)]
        processes = [*webs, *workers]
        for process in processes:
            process.start()
        try:
            for port in ports:
                wait_until_serving(port)
            load = Load(Balancer(ports), cast, pace=args.pace)
            faults, stop_supervising = Faults(pg_base=bench_http.tree_seconds(pg.postmaster_pid())), threading.Event()
            for process in processes:
                process.read()
            started_cpu = {process.name: process.seen for process in processes}  # start-up, before the load
            threading.Thread(target=supervise, args=(processes, stop_supervising), daemon=True).start()
            injector = threading.Thread(
                target=inject, args=(fault_plan(args.minutes), load, webs, workers, pg, faults), daemon=True
            )
            injector.start()
            threads = load.run_threads()
            print(f"soak: load for {args.minutes:g} min on ports {ports}", flush=True)
            load.stop.wait(args.minutes * 60)
            load.stop.set()
            for thread in [*threads, injector]:
                thread.join(timeout=120)
            print(f"soak: load stopped, {len(load.tally.letters)} letters acknowledged; draining", flush=True)
            drained = drain(args.drain_seconds)
            stop_supervising.set()
            pg_cpu = faults.pg_cpu + bench_http.tree_seconds(pg.postmaster_pid()) - faults.pg_base
        finally:
            for process in processes:
                process.stop()
        connection.close()
        cpu = {"PostgreSQL": pg_cpu}
        for kind in ("web", "worker"):
            cpu[kind] = sum(p.cpu - started_cpu[p.name] for p in processes if p.name.startswith(kind))
        problems, figures = check(load.tally, received)
        if drained < 0:
            problems.insert(0, f"the workers had not drained {args.drain_seconds:.0f} s after the load stopped")
        audit = audit_verify({**env, "XINFANG_VAR_DIR": str(tmp / "soak")})
        if not audit[0]:
            problems.append(f"audit_verify failed: {audit[1]}")
        if faults.restart_ended == 0:
            problems.append("PostgreSQL was not restarted (a run shorter than a minute?)")
        info = {
            **bench_http.machine(),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "load_before": load_before,
            "load_after": "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg()),
            "postgres": pg.version(),
        }
        connection.close()
    section = report(args=args, info=info, tally=load.tally, faults=faults, figures=figures, processes=processes,
                     drained=drained, audit=audit, problems=problems, cpu=cpu)  # fmt: skip
    print(section)
    (tmp / "outcomes.json").write_text(json.dumps([o.__dict__ for o in load.tally.outcomes]))
    (tmp / "faults.json").write_text(json.dumps(faults.__dict__))
    print(f"soak: logs and outcomes kept in {tmp}")
    if problems:
        print("soak: FAILED\n" + "\n".join(problems), file=sys.stderr)
        return 1
    if not args.no_docs:
        bench_http.add_to_docs(section)
        print("soak: added to docs/benchmarks.md")
    return 0


def interrupted(signum: int, frame: object) -> None:
    """SIGTERM like Ctrl-C: the ``finally`` blocks stop every process and the throwaway server (a shell
    starts a background job with SIGINT ignored, so SIGTERM is the way to stop one)."""
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, interrupted)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10, help="how long the load and the faults last (10)")
    parser.add_argument("--pace", type=float, default=2.0, help="seconds between a writer's letters, on average (2)")
    parser.add_argument("--citizens", type=int, default=20, help="writers with accounts (20)")
    parser.add_argument(
        "--drain-seconds", type=float, default=300, help="how long the workers may take to finish (300)"
    )
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
