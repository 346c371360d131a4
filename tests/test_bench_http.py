"""``make bench``'s harness (scripts/bench_http.py): the form body, the wrk script it generates and the
figures it reads back. No database and no product server: the wrk test runs against a tiny local one."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_http", ROOT / "scripts" / "bench_http.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _load()


def test_the_body_carries_each_requests_number_inside_the_letter_text() -> None:
    prefix, suffix = bench.body_around_seq({"subject": "标题 & 问题", "channel": "web"}, "text", bench.TEXT)
    fields = urllib.parse.parse_qs(prefix + "2-17" + suffix, strict_parsing=True)
    assert fields["subject"] == ["标题 & 问题"] and fields["channel"] == ["web"]
    assert fields["text"] == [bench.TEXT.replace("{seq}", "2-17")]


def test_it_finds_the_fields_of_a_form() -> None:
    page = """<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="x">
    <select name="province"><option value="440000">广东</option></select><textarea name="text"></textarea>
    <input type="radio" name="letter_type" value="complaint"><button name="action" value="places">…</button></form>"""
    assert bench.form_field_names(page) == {"csrfmiddlewaretoken", "province", "text", "letter_type"}


def test_lua_strings_escape_quotes_backslashes_and_every_byte_outside_ascii() -> None:
    assert bench.lua_string('a"b\\c') == '"a\\"b\\\\c"'
    assert bench.lua_string("信\n") == '"\\228\\191\\161\\010"'


def test_it_refuses_an_acknowledgement_it_cannot_record() -> None:
    with pytest.raises(ValueError):
        bench.lua_script(path="/", headers={}, prefix="", suffix="", ack_status=200, ack_from="cookie", ack_dir=ROOT)


def test_it_reads_proc_stat_when_the_command_name_holds_spaces_and_parentheses() -> None:
    line = "4242 (gunicorn: (worker) x) S 4200 4200 4200 0 -1 4194560 1 0 0 0 120 30 7 3 20 0 1 0 5 6 7"
    stat = bench.parse_proc_stat(line)
    assert (stat.ppid, stat.ticks, stat.child_ticks) == (4200, 150, 10)


def test_it_finds_wrks_figures_among_its_other_output() -> None:
    out = 'Running 1s test\n  2 threads\nBENCH {"acks": 3, "p50_us": 1200}\nRequests/sec: 3\n'
    assert bench.wrk_result(out) == {"acks": 3, "p50_us": 1200}
    with pytest.raises(ValueError):
        bench.wrk_result("Running 1s test\n")


# ---------------------------------------------------------------- the generated script, run by wrk


class _Receiver(BaseHTTPRequestHandler):
    """Acknowledges every other POST with a redirect naming the body's number, refuses the rest."""

    received: list[str] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        text = urllib.parse.parse_qs(body)["text"][0]
        ok = self.headers["X-Forwarded-Proto"] == "https" and len(self.received) % 2 == 0
        self.received.append(text)
        self.send_response(302 if ok else 403)
        self.send_header("Location", f"/done/{urllib.parse.quote(text)}/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_wrk_script_records_each_acknowledgement_and_counts_the_rest(receiver: int, tmp_path: Path) -> None:
    assert shutil.which("wrk"), "wrk is missing: `make system-packages` installs it (as root)"
    prefix, suffix = bench.body_around_seq({"subject": "标题"}, "text", "第 {seq} 封")
    script = tmp_path / "post.lua"
    script.write_text(
        bench.lua_script(
            path="/write/",
            headers={**bench.PROXIED, "Content-Type": "application/x-www-form-urlencoded"},
            prefix=prefix,
            suffix=suffix,
            ack_status=302,
            ack_from="location",
            ack_dir=tmp_path,
        )
    )
    command = ["wrk", "-t1", "-c1", "-d1s", "-s", str(script), f"http://127.0.0.1:{receiver}"]
    figures = bench.wrk_result(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    acknowledged = (tmp_path / "1.txt").read_text().splitlines()
    received = list(_Receiver.received)
    assert figures["acks"] == len(acknowledged) >= 1 and figures["others"] >= 1 and figures["other_status"] == 403
    assert acknowledged == [f"/done/{urllib.parse.quote(text)}/" for text in received[0 : 2 * len(acknowledged) : 2]]
    numbers = [int(text.removeprefix("第 1-").removesuffix(" 封")) for text in received]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # one per request, never repeated
    assert 0 < int(figures["p50_us"]) <= int(figures["p99_us"])
