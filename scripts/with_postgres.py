"""Run a command against a throwaway PostgreSQL server in a temporary directory.

    python scripts/with_postgres.py -- pytest -q
    python scripts/with_postgres.py --set shared_buffers=6GB -- python scripts/bench_repeats.py --inner

``--set NAME=VALUE`` (repeatable) passes a server setting at start (``postgres -c``), for settings
such as ``shared_buffers`` that need a restart.

1. Find the PostgreSQL 15 binaries (Debian keeps them in /usr/lib/postgresql/15/bin).
2. ``initdb`` as the ``postgres`` user when running as root (initdb refuses root).
3. Start the server on a free loopback port with its socket in the temporary directory.
4. Export ``DATABASE_URL`` for the command, run it, stop the server, remove the directory.
Exit status is the command's.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PG_BIN_CANDIDATES = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin")]


def pg_bin() -> Path:
    for candidate in PG_BIN_CANDIDATES:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def main(argv: list[str]) -> int:
    settings: list[str] = []
    if "--" in argv:
        head, argv = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
        settings = [value for flag, value in itertools.pairwise(head) if flag == "--set"]
    if not argv:
        raise SystemExit(__doc__)
    bindir = pg_bin()
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-pg-"))
    data = tmp / "data"
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    port = free_port()
    quiet = subprocess.DEVNULL
    subprocess.run(
        as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth=trust",
                "-U",
                "postgres",
            ]
        ),
        check=True,
        stdout=quiet,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    options += "".join(f" -c {setting}" for setting in settings)
    subprocess.run(
        as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(tmp / "log"), "-w", "start"]),
        check=True,
        stdout=quiet,
    )
    try:
        subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "xinfang"], check=True
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/xinfang", XINFANG_PG_BIN=str(bindir))
        print(f"with_postgres: PostgreSQL on 127.0.0.1:{port} in {tmp}", flush=True)
        return subprocess.run(argv, env=env).returncode
    finally:
        subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), stdout=quiet)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
