"""The statistics read their counted figures from a streaming replica when one is configured.

A real PostgreSQL standby is made of the test server with ``pg_basebackup`` and started beside it;
the ``replica`` database alias points at it, as ``DATABASE_REPLICA_URL`` does in production. With
the standby's replay paused, the worker counts a new letter on the primary: the dashboard keeps
showing the replica's figures while the drill-down list, which reads the primary, already shows the
letter; once replay resumes, the dashboard catches up. docs/scaling.md §5.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from tests.console.conftest import sign_in
from tests.factories import at, receive
from tests.statistics.conftest import D0, MONTH, Month
from xinfang.accounts.models import User
from xinfang.orgs.models import Mailbox
from xinfang.statistics.replica import REPLICA, rollup_db
from xinfang.statistics.rollup import statistics_rollup

MARCH = {"period": "month", "start": f"{MONTH:%Y-%m}"}
RECEIVED = 'data-figure="received"><th scope="row">收信数</th><td class="num" data-label="数值">{}</td>'


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lsn(alias: str, function: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {function} - '0/0'::pg_lsn")
        return int(cursor.fetchone()[0])


def caught_up() -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    target = _lsn("default", "pg_current_wal_lsn()")
    deadline = time.monotonic() + 60
    while _lsn(REPLICA, "pg_last_wal_replay_lsn()") < target:
        assert time.monotonic() < deadline, "the standby did not catch up within a minute"
        time.sleep(0.05)


@pytest.fixture
def streaming_replica(
    needs_postgres: None, restores_what_the_flush_removes: None, transactional_db: None, tree: None
) -> Iterator[str]:
    """A hot standby of the test server, streaming from it, as the ``replica`` database."""
    primary = connections["default"].settings_dict
    bindir = Path(os.environ.get("XINFANG_PG_BIN", "/usr/lib/postgresql/15/bin"))
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-replica-"))
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    data, port = tmp / "data", _free_port()
    quiet = subprocess.DEVNULL
    base = [str(bindir / "pg_basebackup"), "-h", str(primary["HOST"]), "-p", str(primary["PORT"])]
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW max_connections")  # a hot standby needs at least the primary's
        most = cursor.fetchone()[0]
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c hot_standby=on -c fsync=off -c max_connections={most}"
    )
    start = [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(tmp / "log"), "-w", "start"]
    try:  # the copy of the cluster is removed however far this gets
        copy = [*base, "-U", str(primary["USER"]), "-D", str(data), "-R", "-X", "stream", "-c", "fast"]
        subprocess.run(_as_postgres(copy), check=True, stdout=quiet)
        subprocess.run(_as_postgres(start), check=True, stdout=quiet)
        connections.settings[REPLICA] = {**primary, "PORT": port}
        # Connected here: a test may only open connections to the databases it declared when it
        # started, and this one did not exist then.
        connections[REPLICA].connect()
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone()[0] is True  # a standby, not a copy
        yield REPLICA
    finally:
        if REPLICA in connections.settings:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       stdout=quiet, stderr=quiet)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)


def page(client: Client, name: str) -> str:
    response = client.get(reverse(name) + "?" + urlencode(MARCH))
    assert response.status_code == 200
    return response.content.decode()


def test_without_a_replica_the_statistics_read_the_primary() -> None:
    assert rollup_db() == "default"


def test_the_dashboard_reads_the_counted_figures_on_the_replica_and_the_letters_on_the_primary(
    streaming_replica: str, march: Month, gd_analyst: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    assert rollup_db() == REPLICA
    statistics_rollup(settle=0)
    caught_up()
    client = sign_in(Client(), gd_analyst)
    assert RECEIVED.format(3) in page(client, "console:statistics")

    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    with at(D0 + dt.timedelta(days=8)):
        late = receive(citizen, gd_mailbox, subject="三月的第四封信")
    statistics_rollup(settle=0)  # the primary now counts four letters in March

    assert RECEIVED.format(3) in page(client, "console:statistics")  # the replica has not replayed it yet
    letters = client.get(reverse("console:statistics_letters") + "?" + urlencode(MARCH)).content.decode()
    assert late.tracking_number in letters  # the drill-down lists the letters themselves, from the primary

    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    assert RECEIVED.format(4) in page(client, "console:statistics")
