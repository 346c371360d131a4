"""The virus scan, against a real clamd started here with a local EICAR test signature.

Signature downloads are not possible in the test environment, so the set-up writes a one-line
signature database that matches the EICAR anti-virus test string anywhere in a file, and runs clamd
in the foreground on a free TCP port and a Unix socket. When the clamd binary is absent the tests
are skipped with the reason; when it is installed but does not start, they fail with its output.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings

from tests.letters.pdfs import plain_pdf
from xinfang.accounts.models import User
from xinfang.letters import clamav
from xinfang.letters.attachments import AttachmentRejected, attachment_add
from xinfang.letters.models import Attachment, Letter

# Built from two halves so that this source file is not itself flagged by a scanner.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-" + b"STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_NAME = "Xinfang-Test.EICAR"
STARTUP_SECONDS = 60
CLEAN_PDF = plain_pdf()
# A file that passes every type check and carries the test string (in a comment, which the PDF
# sanitiser would drop: the scan reads the file as received, so only clamd can stop it).
INFECTED_PDF = CLEAN_PDF.replace(b"\n", b"\n% " + EICAR + b"\n", 1)


@dataclass(frozen=True)
class Clamd:
    tcp: str
    unix: str


def _clamd_binary() -> str:
    found = shutil.which("clamd", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if found is None:
        message = "clamd binary not found: install the Debian package clamav-daemon (apt-get install -y clamav-daemon)"
        if os.environ.get("CI") == "true":  # CI installs it (make system-packages): missing there is a failure
            pytest.fail(message)
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _write_config(directory: Path, port: int) -> Path:
    database = directory / "db"
    database.mkdir()
    (database / "xinfang-test.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{EICAR.hex()}\n")
    config = directory / "clamd.conf"
    config.write_text(
        f"DatabaseDirectory {database}\n"
        f"TCPSocket {port}\nTCPAddr 127.0.0.1\n"
        f"LocalSocket {directory / 'clamd.sock'}\n"
        f"PidFile {directory / 'clamd.pid'}\n"
        "Foreground yes\n"
    )
    return config


def _wait_until_listening(process: subprocess.Popen[str]) -> None:
    """Block on clamd's own output until its server loop starts (no polling, no sleeping).

    clamd binds and listens on its sockets before it enters the server loop, whose first line is
    "Self checking every …"; the later "Listening daemon" line stays in clamd's stdout buffer.
    """
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            process.kill()
            pytest.fail(f"clamd did not start within {STARTUP_SECONDS}s:\n{''.join(seen)}")
        if line is None:
            pytest.fail(f"clamd is installed but exited with {process.wait()}:\n{''.join(seen)}")
        seen.append(line)
        if line.startswith("Self checking every"):
            return


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    binary = _clamd_binary()
    directory = tmp_path_factory.mktemp("clamd")
    port = _free_port()
    config = _write_config(directory, port)
    process = subprocess.Popen(
        [binary, "--config-file", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_until_listening(process)
        yield Clamd(tcp=f"tcp://127.0.0.1:{port}", unix=f"unix://{directory / 'clamd.sock'}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def closed_port_address() -> str:
    return f"tcp://127.0.0.1:{_free_port()}"


# ---------------------------------------------------------------- the client


def test_clamd_finds_the_eicar_test_file_over_tcp(clamd: Clamd) -> None:
    verdict = clamav.scan_bytes(EICAR, clamd.tcp)

    assert verdict.infected
    assert verdict.signature.startswith(SIGNATURE_NAME)


def test_clamd_passes_a_clean_file_over_the_unix_socket(clamd: Clamd) -> None:
    verdict = clamav.scan_bytes(CLEAN_PDF, clamd.unix)

    assert not verdict.infected
    assert verdict.reply == "stream: OK"


def test_a_file_larger_than_one_chunk_is_streamed_whole(clamd: Clamd) -> None:
    # The test string sits after the first 64 KiB chunk: found only if every chunk arrives.
    verdict = clamav.scan_bytes(b"\0" * (clamav.CHUNK + 10) + EICAR, clamd.tcp)

    assert verdict.infected


def test_clamd_reports_its_version(clamd: Clamd) -> None:
    assert clamav.version(clamd.tcp).startswith("ClamAV ")


@pytest.mark.parametrize("address", ["", "http://127.0.0.1:3310", "tcp://127.0.0.1", "unix://"])
def test_a_malformed_address_is_unavailable_not_clean(address: str) -> None:
    with pytest.raises(clamav.ClamdUnavailable):
        clamav.scan_bytes(CLEAN_PDF, address)


def test_a_daemon_that_is_not_there_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(clamav.ClamdUnavailable):
        clamav.scan_bytes(CLEAN_PDF, closed_port_address())
    with pytest.raises(clamav.ClamdUnavailable):
        clamav.scan_bytes(CLEAN_PDF, f"unix://{tmp_path / 'missing.sock'}")


# ---------------------------------------------------------------- uploads with the scan on


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def pdf_upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("材料.pdf", data, content_type="application/pdf")


def nothing_stored(media: Path) -> bool:
    return not Attachment.objects.exists() and not [p for p in media.rglob("*") if p.is_file()]


def test_an_upload_carrying_eicar_is_refused_and_nothing_is_stored(
    clamd: Clamd, settings: Settings, media: Path, letter: Letter, citizen: User
) -> None:
    settings.CLAMD_ADDRESS = clamd.tcp

    with pytest.raises(AttachmentRejected) as caught:
        attachment_add(letter=letter, upload=pdf_upload(INFECTED_PDF), actor=citizen)

    assert caught.value.code == "infected"
    assert "病毒" in caught.value.messages[0]
    assert nothing_stored(media)


def test_a_clean_upload_is_stored_with_the_scan_result(
    clamd: Clamd, settings: Settings, media: Path, letter: Letter, citizen: User
) -> None:
    settings.CLAMD_ADDRESS = clamd.unix

    attachment = attachment_add(letter=letter, upload=pdf_upload(CLEAN_PDF), actor=citizen)

    assert attachment.scan_status == Attachment.ScanStatus.CLEAN
    assert attachment.scan_result == "stream: OK"
    assert attachment.sha256 == hashlib.sha256(attachment.file.read()).hexdigest()


def test_when_clamd_is_unreachable_uploads_are_refused_with_try_again_later(
    settings: Settings, media: Path, letter: Letter, citizen: User, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CLAMD_ADDRESS = closed_port_address()

    with pytest.raises(AttachmentRejected) as caught:
        attachment_add(letter=letter, upload=pdf_upload(CLEAN_PDF), actor=citizen)

    assert caught.value.code == "scan_unavailable"
    assert "稍后再试" in caught.value.messages[0]
    assert "virus scanner unavailable" in caplog.text
    assert nothing_stored(media)
