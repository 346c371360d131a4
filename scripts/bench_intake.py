"""Intake throughput: letters/s through ``letter_submit`` on a throwaway PostgreSQL (issue 15, item 7).

    .venv/bin/python scripts/bench_intake.py                       # 2,000 letters, 8 threads
    .venv/bin/python scripts/bench_intake.py --letters 500 --threads 1

1. Start a throwaway PostgreSQL with ``scripts/with_postgres.py`` and run this script inside it
   (``--inner``): migrate, load the unit tree, mailboxes and holidays, create one citizen per thread.
2. Each thread submits its share of the letters with the real service (timeline row, audit row,
   receipt record, due dates), each in its own transaction and connection, all starting together.
3. Print letters/s over the wall-clock time of the whole run (the commits of all threads).

Run the same script before and after a change to intake; docs/benchmarks.md keeps the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def outer(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import with_postgres

    return int(with_postgres.main(["--", sys.executable, str(Path(__file__).resolve()), "--inner", *argv]))


def prepare(threads: int) -> list[object]:
    from django.core.management import call_command
    from django.utils import timezone

    from xinfang.accounts.services import citizen_create
    from xinfang.deadlines.services import holidays_load_from_chinese_calendar
    from xinfang.orgs.services import ensure_default_mailboxes

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    ensure_default_mailboxes()
    holidays_load_from_chinese_calendar(actor=None)
    return [
        citizen_create(
            real_name="张三",
            id_number="11010519491231002X",
            phone=f"1380013{n:04d}",
            password=None,
            phone_verified_at=timezone.now(),
        )
        for n in range(threads)
    ]


def inner(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ.setdefault("XINFANG_DEBUG", "0")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--inner needs DATABASE_URL pointing at PostgreSQL (run without --inner)")
    import django

    django.setup()
    from django.db import connection

    from xinfang.letters.services import letter_submit
    from xinfang.orgs.models import Mailbox
    from xinfang.vocabulary import Channel, LetterType

    citizens = prepare(args.threads)
    mailbox = Mailbox.objects.get(slug="gd")
    share = args.letters // args.threads
    start = threading.Barrier(args.threads + 1)
    failures: list[BaseException] = []

    def submit(citizen: object) -> None:
        try:
            start.wait()
            for n in range(share):
                letter_submit(
                    mailbox=mailbox,
                    actor=citizen,  # type: ignore[arg-type]
                    letter_type=LetterType.COMPLAINT,
                    channel=Channel.WEB,
                    subject="派出所民警办事拖延",
                    text=f"我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。第 {n} 封。",
                    division_code="440106",
                    address="广州市天河区天河路 1 号",
                )
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit, args=(c,)) for c in citizens]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{len(failures)} threads failed: {failures[0]!r}")
    total = share * args.threads
    print(f"{total} letters, {args.threads} threads: {seconds:.2f} s, {total / seconds:.0f} letters/s", flush=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=2000, help="letters to submit (default 2,000)")
    parser.add_argument("--threads", type=int, default=8, help="submitting threads, one connection each (default 8)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return inner(args) if args.inner else outer(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
