"""Intake throughput: letters/s through ``letter_submit`` on a throwaway PostgreSQL (issue 15, item 7).

    .venv/bin/python scripts/bench_intake.py                       # 2,000 letters, 8 threads
    .venv/bin/python scripts/bench_intake.py --letters 500 --threads 1

1. Start a throwaway PostgreSQL with ``scripts/with_postgres.py`` and run this script inside it
   (``--inner``): migrate, load the unit tree, mailboxes and holidays, create one citizen per thread.
2. Each thread submits its share of the letters with the real service (timeline row, audit row,
   receipt record, due dates), each in its own transaction and connection, all starting together.
3. Print letters/s over the wall-clock time of the whole run (the commits of all threads), the
   benchmark process's CPU time per letter (less sensitive to a busy machine than the wall
   clock; PostgreSQL's own CPU is not in it), and the statements per letter sent through the cursor.

Run the same script before and after a change to intake; docs/benchmarks.md keeps the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
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

    statements = [0] * args.threads

    def count(slot: int) -> Callable[..., object]:
        def wrapper(execute: Callable[..., object], sql: str, params: object, many: bool, context: object) -> object:
            statements[slot] += 1
            return execute(sql, params, many, context)

        return wrapper

    def submit(slot: int, citizen: object) -> None:
        try:
            start.wait()
            with connection.execute_wrapper(count(slot)):
                for n in range(share):
                    send(citizen, n)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    def send(citizen: object, n: int) -> None:
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

    if args.profile:  # one thread, under cProfile: where a letter's CPU goes
        import cProfile
        import pstats

        send(citizens[0], 0)  # warm the per-process caches

        def run() -> None:
            for n in range(args.letters):
                send(citizens[0], n)

        profiler = cProfile.Profile()
        profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return 0

    workers = [threading.Thread(target=submit, args=(n, c)) for n, c in enumerate(citizens)]
    for worker in workers:
        worker.start()
    start.wait()
    began, cpu_began = time.perf_counter(), time.process_time()
    for worker in workers:
        worker.join()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    if failures:
        raise SystemExit(f"{len(failures)} threads failed: {failures[0]!r}")
    total = share * args.threads
    print(
        f"{total} letters, {args.threads} threads: {seconds:.2f} s, {total / seconds:.0f} letters/s; "
        f"Python CPU {cpu / total * 1000:.1f} ms/letter; {sum(statements) / total:.1f} statements/letter "
        "through the cursor (savepoints included; BEGIN and COMMIT are not)",
        flush=True,
    )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=2000, help="letters to submit (default 2,000)")
    parser.add_argument("--threads", type=int, default=8, help="submitting threads, one connection each (default 8)")
    parser.add_argument("--profile", action="store_true", help="profile --letters letters in one thread instead")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return inner(args) if args.inner else outer(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
