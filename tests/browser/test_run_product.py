"""``make run`` end to end: a fresh SQLite database, the real settings, Chromium at the printed URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from xinfang.accounts.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Quit the server with CONTROL-C."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def product_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a fresh machine: real settings, its own SQLite file, unbuffered output."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DJANGO_SETTINGS_MODULE="xinfang.settings", XINFANG_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    for command in (["migrate", "--no-input", "-v0"], ["load_units"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


@pytest.fixture
def product(product_env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], int, list[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_product", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=product_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = []
    for line in process.stdout:  # runserver prints this line just before it listens
        output.append(line)
        if READY_LINE in line:
            break
    deadline = time.monotonic() + 10
    while not accepts_connections(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield process, port, output
    if process.poll() is None:
        process.kill()
        process.wait()


def test_run_product_prints_the_demo_logins_serves_the_portal_and_stops_on_sigterm(
    product: tuple[subprocess.Popen[str], int, list[str]], page_desktop: Page
) -> None:
    process, port, output = product
    banner = "".join(output)
    assert f"http://127.0.0.1:{port}/" in banner
    assert "gd-admin" in banner and DEMO_PASSWORD in banner

    page_desktop.goto(f"http://127.0.0.1:{port}/")
    expect(page_desktop.get_by_text("广东省公安厅厅长信箱", exact=True)).to_be_visible()

    process.terminate()
    assert process.wait(timeout=15) == 0
    assert not accepts_connections(port)  # the web server child stopped with it
