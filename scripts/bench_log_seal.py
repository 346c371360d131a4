"""Sealing speed of the transparency log on a throwaway PostgreSQL (issue 15, item 2).

    .venv/bin/python scripts/bench_log_seal.py                 # 3 rounds of 10,000 new entries
    .venv/bin/python scripts/bench_log_seal.py --entries 50000 --rounds 2

Each round inserts ``--entries`` audit entries (one bulk INSERT, not timed), then times one
``log_seal()`` (read the unsealed entries, hash them into leaves, insert the leaves, sign the head),
then times an inclusion proof and a consistency proof at the new size (computed from the stored
leaf hashes). Budget: sealing 10,000 new entries under 1 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def outer(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import with_postgres

    return int(with_postgres.main(["--", sys.executable, str(Path(__file__).resolve()), "--inner", *argv]))


def inner(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ.setdefault("XINFANG_DEBUG", "0")
    import tempfile

    os.environ.setdefault("XINFANG_LOG_SINK_DIR", tempfile.mkdtemp(prefix="bench-heads-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from xinfang.audit.models import AuditEntry, AuditKind
    from xinfang.audit.sealing import log_seal
    from xinfang.audit.selectors import consistency_proof, inclusion_proof, log_verify

    call_command("migrate", verbosity=0)
    for round_ in range(args.rounds):
        now = timezone.now()
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(at=now, kind=AuditKind.STATE_CHANGE, subject_type="letters.letter", subject_id=f"{n}",
                           data={"action": "accept", "from": "received", "to": "accepted", "event": n})
                for n in range(args.entries)
            ],
            batch_size=5000,
        )  # fmt: skip
        started = time.perf_counter()
        head = log_seal()
        sealed = time.perf_counter() - started
        assert head is not None
        started = time.perf_counter()
        inclusion_proof(head.tree_size // 3, head.tree_size)
        proof_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        consistency_proof(head.tree_size // 2, head.tree_size)
        consistency_ms = (time.perf_counter() - started) * 1000
        print(
            f"round {round_ + 1}: sealed {args.entries} new entries (tree {head.tree_size}) in {sealed * 1000:.0f} ms; "
            f"inclusion proof {proof_ms:.0f} ms, consistency proof {consistency_ms:.0f} ms",
            flush=True,
        )
    started = time.perf_counter()
    report = log_verify()
    print(f"audit_verify of {report.leaves} entries: {time.perf_counter() - started:.1f} s, intact={report.intact}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000, help="new entries per seal (default 10,000)")
    parser.add_argument("--rounds", type=int, default=3, help="seals (default 3)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return inner(args) if args.inner else outer(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
