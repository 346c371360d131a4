"""``make soak``'s own bookkeeping (scripts/soak.py): the fault plan, the error windows, the delivery
check and the load balancer's failover. No database and no product server (the soak itself is not
part of ``make test``)."""

from __future__ import annotations

import http.server
import importlib
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
soak = importlib.import_module("soak")  # a script, not a package: scripts/ on the path, as it puts itself


def test_ten_minutes_kill_a_web_process_and_a_worker_every_minute_and_restart_postgresql_once() -> None:
    plan = soak.fault_plan(10)
    kinds = [f.what for f in plan]
    assert kinds.count("web") == kinds.count("worker") == 10 and kinds.count("postgres") == 1
    assert [f.at for f in plan] == sorted(f.at for f in plan) and plan[-1].at < 590
    restart = next(f.at for f in plan if f.what == "postgres")
    assert 240 <= restart <= 360  # the middle
    web_kills = [f.at for f in plan if f.what == "web"]
    before, after = soak.KILL_WINDOW
    assert all(not kill + before <= restart < kill + after for kill in web_kills)  # windows told apart
    assert all(not restart <= kill + before < restart + 20 for kill in web_kills)


def test_a_two_minute_run_still_has_every_fault() -> None:
    assert {f.what for f in soak.fault_plan(2)} == {"web", "worker", "postgres"}


def test_the_error_rate_counts_the_requests_begun_in_the_window() -> None:
    o = soak.Outcome
    outcomes = [o(1.0, "submit", "ok"), o(5.0, "submit", "http 500"), o(6.0, "look-up", "lost"), o(9.0, "x", "ok")]
    assert soak.errors_between(outcomes, 5.0, 9.0) == (2, 2)
    assert soak.errors_between(outcomes, 0.0, float("inf")) == (2, 4)
    assert soak.outside(outcomes, [(4.0, 5.5), (5.5, 7.0)]) == (0, 2)  # no failure outside a fault's window


def test_a_delivery_that_never_arrived_or_a_key_nobody_sent_is_a_problem_and_a_repeat_is_counted() -> None:
    sent = {"k1": "sms", "k2": "sms", "k3": "email"}
    assert soak.delivery_problems(sent, {"sms": ["k1", "k2", "k1"], "email": ["k3"]}) == ([], 1)
    problems, _ = soak.delivery_problems(sent, {"sms": ["k1", "k9"], "email": ["k3"]})
    assert problems == [
        "sms: 1 deliveries never reached the receiving side",
        "sms: 1 keys arrived that the database does not know",
    ]


def test_a_form_version_is_read_only_when_the_form_is_offered() -> None:
    page = '<input type="hidden" name="transfer-version" value="3" id="id_transfer-version">'
    assert soak.field_value(page, "transfer-version") == "3"
    assert soak.field_value(page, "draft_reply-version") is None


# ---------------------------------------------------------------- the load balancer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_port() -> Iterator[int]:
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/drop":  # read the request, then close without answering: lost in flight
                self.close_connection = True
                return
            self.send_response(302)
            self.send_header("Location", "/next/")
            self.send_header("Set-Cookie", "sessionid=abc; Path=/; HttpOnly")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_the_balancer_sends_to_the_other_process_when_one_refuses_the_connection(live_port: int) -> None:
    balancer = soak.Balancer([free_port(), live_port])
    for _ in range(3):  # whichever process is first in turn
        reply = balancer.send("GET", "/", cookies={}, form=None, source="127.0.0.1")
        assert (reply.status, reply.location, reply.cookies) == (302, "/next/", {"sessionid": "abc"})


def test_no_process_listening_is_unavailable_and_a_dropped_answer_is_lost(live_port: int) -> None:
    with pytest.raises(soak.Unavailable):
        soak.Balancer([free_port(), free_port()]).send("GET", "/", cookies={}, form=None, source="127.0.0.1")
    with pytest.raises(soak.Lost):
        soak.Balancer([live_port]).send("GET", "/drop", cookies={}, form=None, source="127.0.0.1")
