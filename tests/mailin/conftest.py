"""Letters by e-mail: a mailbox with an e-mail address, the real SMTP server on a loopback port, a client.

The server runs in its own thread (aiosmtpd's controller) and does its database work in asgiref's
one sync thread. There it is handed the test's own connection, as Django's live server does, so
that it reads and writes inside the test's transaction: no commits, no flush after each test.
The crash tests (``test_crash.py``) run the real command in its own process instead.
"""

from __future__ import annotations

import asyncio
import smtplib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from xinfang.mailin.models import MailAddress
from xinfang.mailin.smtp import controller
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel

ADDRESS = "gd-xinfang@mail.example.cn"
WRITER = "wang.wu@example.net"


def open_email_channel(mailbox: Mailbox) -> MailAddress:
    """The mailbox with its e-mail channel open and one address for complaints."""
    mailbox.channels = [*mailbox.channels, Channel.EMAIL]
    mailbox.save(update_fields=["channels"])
    return MailAddress.objects.create(address=ADDRESS, mailbox=mailbox)


@pytest.fixture
def mail_address(gd_mailbox: Mailbox) -> MailAddress:
    return open_email_channel(gd_mailbox)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    host: str
    port: int

    def client(self) -> smtplib.SMTP:
        return smtplib.SMTP(self.host, self.port, timeout=10)

    def send(self, message: EmailMessage, *, sender: str = WRITER, to: tuple[str, ...] = (ADDRESS,)) -> None:
        """Send one message; raises ``smtplib.SMTPException`` on any refusal, as a sending server would bounce."""
        with self.client() as client:
            client.send_message(message, from_addr=sender, to_addrs=list(to))


def _share(connection: BaseDatabaseWrapper) -> None:
    connection.inc_thread_sharing()
    connections["default"] = connection


def _unshare(connection: BaseDatabaseWrapper) -> None:
    del connections["default"]
    connection.dec_thread_sharing()


@pytest.fixture
def start_server(mail_address: MailAddress, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Server]]:
    """Start the server with the settings in force at the call (a test may change a limit first)."""
    # The server replaces a connection left in a transaction; here that is the test's own, by design.
    monkeypatch.setattr("xinfang.mailin.smtp.close_old_connections", lambda: None)
    test_connection = connections["default"]
    started: list[Controller] = []

    def in_sync_thread(server: Controller, work: Callable[[BaseDatabaseWrapper], None]) -> None:
        asyncio.run_coroutine_threadsafe(sync_to_async(work)(test_connection), server.loop).result(timeout=10)

    def start() -> Server:
        server = controller(host="127.0.0.1", port=free_port())
        server.start()
        if not started:
            in_sync_thread(server, _share)
        started.append(server)
        return Server(server.hostname, server.port)

    yield start
    if started:
        in_sync_thread(started[0], _unshare)
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(start_server: Callable[[], Server]) -> Server:
    return start_server()


def letter_mail(
    subject: str = "派出所办户口拖了三个月", text: str = "我在天河区派出所办理户口迁移，材料齐全却一直不办。", *,
    sender: str = WRITER, html: str | None = None,
) -> EmailMessage:  # fmt: skip
    message = EmailMessage()
    message["From"] = f"王五 <{sender}>"
    message["To"] = ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.net")
    if html is None:
        message.set_content(text)
    else:
        message.set_content(html, subtype="html")
    return message


def crlf(message: EmailMessage) -> bytes:
    """The message as it travels (lines end in CRLF), for a client that sends raw bytes."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
