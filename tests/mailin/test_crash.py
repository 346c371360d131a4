"""Nothing is lost when the SMTP server dies mid-message, and nothing is taken twice.

The real command (``manage.py mail_in``) runs in its own process against the test database; a
real client (smtplib) talks to it; the process is killed with SIGKILL. Every message the server
answered 250 becomes exactly one letter, a message whose DATA was cut becomes none, and a message
stored just before the server died (no 250) is sent again by the client and still makes one letter.
"""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from tests.mailin.conftest import ADDRESS, WRITER, crlf, free_port, letter_mail, open_email_channel
from tests.notifications.conftest import drain
from xinfang.letters.models import Letter
from xinfang.mailin.models import InboundMessage
from xinfang.orgs.models import Mailbox

pytestmark = pytest.mark.postgres_only
READY_SECONDS = 60


class Process:
    def __init__(self, command: list[str], log: Path) -> None:
        db = connection.settings_dict
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xinfang.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "XINFANG_VAR_DIR": str(log.parent),
            "XINFANG_LOG_LEVEL": "WARNING",
            # The test process's keys: the worker here decrypts what the server wrote.
            "XINFANG_SECRET_KEY": settings.SECRET_KEY,
            "XINFANG_VAULT_KEYS": ",".join(settings.XINFANG_VAULT_KEYS),
            "XINFANG_LOOKUP_KEY": settings.XINFANG_LOOKUP_KEY,
            "XINFANG_LOG_SIGNING_KEY": settings.XINFANG_LOG_SIGNING_KEY,
        }
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, *command], cwd=settings.BASE_DIR, env=environment, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_listening(self, port: int) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as probe:
                    probe.noop()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start: " + self.log.read_text(errors="replace")[-3000:])

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL


@pytest.fixture
def open_mailbox(
    needs_postgres: None, restores_what_the_flush_removes: None, transactional_db: None, gd_mailbox: Mailbox
) -> None:
    open_email_channel(gd_mailbox)  # committed: the server's process reads it


@pytest.fixture
def servers(open_mailbox: None, tmp_path: Path) -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.kill()


def start(servers: list[Process], port: int, tmp_path: Path, *, dying: bool = False) -> Process:
    command = ["-m", "tests.mailin.dying_server", str(port)] if dying else ["manage.py", "mail_in", "--port", str(port)]
    server = Process(command, tmp_path / "mail_in.log")
    servers.append(server)
    server.wait_listening(port)
    return server


def answers() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.extra_headers.get("Message-ID", "").startswith("<mailin-")]


def send(port: int, message: object) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(message, from_addr=WRITER, to_addrs=[ADDRESS])  # type: ignore[arg-type]


def test_a_server_killed_mid_message_keeps_every_message_it_accepted_and_none_it_did_not(
    servers: list[Process], tmp_path: Path
) -> None:
    port = free_port()
    server = start(servers, port, tmp_path)
    send(port, letter_mail("甲：已收到的信"))
    # The second message is cut in the middle of its DATA when the server dies.
    cut = crlf(letter_mail("乙：发到一半的信", "这封信只发出了一半。\n" * 200))
    client = smtplib.SMTP("127.0.0.1", port, timeout=10)
    client.ehlo()
    client.mail(WRITER)
    client.rcpt(ADDRESS)
    assert client.docmd("DATA")[0] == 354
    client.send(cut[: len(cut) // 2])
    time.sleep(0.3)  # the server has read it and waits for the rest
    server.kill()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        client.send(b"\r\n.\r\n")
        client.getreply()
    client.close()
    assert list(InboundMessage.objects.values_list("status", flat=True)) == [InboundMessage.Status.SPOOLED]
    # Restarted, it takes the next message; the worker then turns each stored message into one letter.
    start(servers, port, tmp_path)
    send(port, letter_mail("丙：重启后的信"))
    drain()
    assert sorted(Letter.objects.values_list("subject", flat=True)) == ["丙：重启后的信", "甲：已收到的信"]
    assert len(answers()) == 2
    drain()  # run again (a worker recovering the same tasks): nothing new
    assert Letter.objects.count() == 2


def test_a_server_killed_after_storing_but_before_answering_makes_one_letter_when_the_sender_retries(
    servers: list[Process], tmp_path: Path
) -> None:
    port = free_port()
    start(servers, port, tmp_path, dying=True)
    message = letter_mail("丁：存下后服务器即终止")
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(port, message)  # no 250: the sending server keeps the message and tries again later
    servers[0].process.wait(timeout=10)
    assert InboundMessage.objects.count() == 1  # it had been stored
    start(servers, port, tmp_path)
    send(port, message)  # the retry: answered 250, and recognised as the stored message
    drain()
    assert InboundMessage.objects.count() == Letter.objects.count() == 1
    assert len(answers()) == 1
