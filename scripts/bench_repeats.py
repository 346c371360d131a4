"""Benchmark the repeat-letter look-up on N letters' signatures in a throwaway PostgreSQL (issue 16 §4).

    .venv/bin/python scripts/bench_repeats.py                     # 1,000,000 letters
    .venv/bin/python scripts/bench_repeats.py --letters 100000    # a quick run

1. Start a throwaway PostgreSQL with ``scripts/with_postgres.py`` and run this script inside it
   (``--inner``), which migrates.
2. Fill ``analysis_lettersignature`` and ``analysis_signaturekey`` with set-based SQL
   (``generate_series``): per letter :data:`~xinfang.analysis.repeats.BANDS` band rows and one
   writer row (about three letters a writer). Only the signature tables are filled; their foreign
   keys to ``letters_letter`` are dropped in this throwaway database, so no letters are created.
3. The band values are drawn so that an unrelated letter of the same province shares a band with
   the new one as often as measured on the real texts of tests/analysis/data (``--collision``, the
   share of pairs of unrelated letters sharing at least one band, measured with
   ``repeats.sign_text``): each band value of a province is held by ``its letters × collision /
   BANDS`` letters, so a look-up reads as many index entries as it would on real letters of that
   kind. Letters are spread over :data:`PROVINCES` provinces, unevenly (the largest holds 17.7 %);
   each new letter's province is drawn the same way, so the big provinces dominate the p95.
4. Time ``repeats.lookup`` (one query: the letters sharing the most keys, joined to their stored
   signatures, then scored against the new letter's in Python), for ``--runs`` new
   letters; p50, p95, p99 — with each ``--scored`` limit in turn. Also the time to compute one
   signature of a real letter (``repeats.sign_text``), which the worker pays once per letter,
   never intake.
5. The server runs with a production server's memory for this machine (``shared_buffers`` a
   quarter of RAM, ``effective_cache_size`` three quarters; ``--default-memory`` for 128 MB), and
   the look-up's index and table are read into shared buffers (``pg_prewarm``) before timing: an
   index used every few seconds stays there.

The filter through ``letters_visible_to`` (a primary-key look-up of at most ``SCORED`` letters with the
viewer's unit conditions) and the passages (computed for the 5 shown) are not part of these figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 0.20261207
# Share of pairs of unrelated letters that share a band (ROWS = 2, 64 bands), measured on the
# 566 letters of tests/analysis/data with repeats.sign_text (docs/analysis.md).
COLLISION = 0.0044
# Bands are hashed with the letter's province: letters are spread over 32 provinces as
# floor(32 × u²) for u uniform, so the largest holds 17.7 % of them (Guangdong receives about 9 %).
PROVINCES = 32


def server_settings(default_memory: bool) -> list[str]:
    """A production server's memory for this machine (docs/operations.md): ``shared_buffers`` a quarter
    of RAM, ``effective_cache_size`` three quarters; nothing with ``--default-memory`` (128 MB)."""
    if default_memory:
        return []
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").split()
    ram_mb = int(meminfo[meminfo.index("MemTotal:") + 1]) // 1024
    return ["--set", f"shared_buffers={ram_mb // 4}MB", "--set", f"effective_cache_size={ram_mb * 3 // 4}MB"]


def outer(argv: list[str], default_memory: bool) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import with_postgres

    inner_command = [sys.executable, str(Path(__file__).resolve()), "--inner", *argv]
    return int(with_postgres.main([*server_settings(default_memory), "--", *inner_command]))


def _sql(c: Any, label: str, statement: str, params: dict[str, Any] | None = None) -> None:
    started = time.perf_counter()
    c.execute(statement, params)
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


def generate(n: int, collision: float) -> int:
    """Fill the signature tables for letters 1..n; returns the band values' domain size."""
    from django.db import connection

    from xinfang.analysis.repeats import BANDS, METHOD_VERSION, NUM_PERM

    domain = max(1, round(BANDS / collision))
    writers = max(1, n // 3)
    with connection.cursor() as c:
        for table in ("analysis_signaturekey", "analysis_lettersignature"):
            c.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [table])
            for (name,) in c.fetchall():
                c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        c.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'analysis_signaturekey' AND indexname NOT LIKE '%%pkey'"
        )
        dropped = [row[0] for row in c.fetchall()]
        for name in dropped:
            c.execute(f'DROP INDEX "{name}"')
        c.execute("SELECT setseed(%s)", [SEED])
        params = {"n": n, "v": METHOD_VERSION, "words": NUM_PERM * 4 // 16, "bands": BANDS, "domain": domain,
                  "writers": writers, "provinces": PROVINCES}  # fmt: skip
        _sql(c, f"{n:,} signatures", """
            INSERT INTO analysis_lettersignature (letter_id, version, minhash, shingles, keys, computed_at)
            SELECT g, %(v)s, decode(repeat(md5(g::text), %(words)s), 'hex'), 120, '{}'::jsonb, now()
            FROM generate_series(1, %(n)s) g
        """, params)  # fmt: skip
        _sql(c, f"{n * (BANDS + 1):,} key rows", """
            INSERT INTO analysis_signaturekey (letter_id, kind, key)
            SELECT g, 0, b::bigint * 1000000000000 + p * 1000000000 + floor(random() * %(domain)s)::bigint
            FROM (SELECT g, floor(%(provinces)s * random() ^ 2)::bigint AS p FROM generate_series(1, %(n)s) g) letters,
                 generate_series(0, %(bands)s - 1) b
            UNION ALL
            SELECT g, 1, 900000000000000000 + floor(random() * %(writers)s)::bigint FROM generate_series(1, %(n)s) g
        """, params)  # fmt: skip
        _sql(c, "index (key, letter)", "CREATE INDEX signature_key_idx ON analysis_signaturekey (key, letter_id)")
        _sql(c, "index (letter)", "CREATE INDEX signature_key_letter_idx ON analysis_signaturekey (letter_id)")
        _sql(c, "VACUUM ANALYZE", "VACUUM ANALYZE analysis_signaturekey, analysis_lettersignature")
    return domain


def new_letter_keys(rng: random.Random, domain: int, writers: int) -> list[int]:
    from xinfang.analysis.repeats import BANDS

    province = int(PROVINCES * rng.random() ** 2)
    bands = [band * 1_000_000_000_000 + province * 1_000_000_000 + rng.randrange(domain) for band in range(BANDS)]
    return [*bands, 900_000_000_000_000_000 + rng.randrange(writers)]


class Probe:
    """A new letter as the look-up sees it: its index rows (drawn like the stored ones) and a MinHash."""

    def __init__(self, keys: list[int]) -> None:
        import numpy as np

        from xinfang.analysis.repeats import BAND_KIND, KIND_CODES, NUM_PERM, WRITER

        *bands, writer = keys
        self.rows = [*((BAND_KIND, key) for key in bands), (KIND_CODES[WRITER], writer)]
        self.keys: dict[str, list[str]] = {}
        self.hashvalues = np.arange(NUM_PERM, dtype=np.uint32)
        self.shingles = 120

    def index_rows(self) -> list[tuple[int, int]]:
        return self.rows


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": round(statistics.median(ordered), 2), "p95": round(pick(0.95), 2), "p99": round(pick(0.99), 2)}


def show_profile(probes: list[Probe]) -> None:
    """Where the client's time goes in ``lookup`` (``--profile``): cProfile's top functions by own time."""
    import cProfile
    import pstats

    from xinfang.analysis.repeats import lookup

    profiler = cProfile.Profile()
    profiler.enable()
    for probe in probes:
        lookup(probe)  # type: ignore[arg-type]
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(18)


def time_lookups(n: int, domain: int, runs: int, limits: list[int]) -> dict[str, Any]:
    """``lookup`` on ``runs`` new letters per limit (letters scored), the limits taking turns letter by
    letter so that they share the machine's moments. Each new letter is looked up once: a second
    look-up of the same keys, just after, took half the time (its index pages in the CPU's caches)."""
    from xinfang.analysis.repeats import lookup

    rng = random.Random(SEED)  # noqa: S311 (test data)
    wall: dict[int, list[float]] = {limit: [] for limit in limits}
    cpu: dict[int, list[float]] = {limit: [] for limit in limits}
    found: dict[int, list[int]] = {limit: [] for limit in limits}
    for i in range((runs + 20) * len(limits)):
        probe, limit = Probe(new_letter_keys(rng, domain, max(1, n // 3))), limits[i % len(limits)]
        started, started_cpu = time.perf_counter(), time.process_time()
        scored = lookup(probe, limit=limit)  # type: ignore[arg-type]
        elapsed = (time.perf_counter() - started) * 1000
        if i >= 20 * len(limits):  # warm-up
            wall[limit].append(elapsed)
            cpu[limit].append((time.process_time() - started_cpu) * 1000)
            found[limit].append(len(scored))
    return {
        str(limit): {
            "lookup_ms": percentiles(wall[limit]),
            "lookup_client_cpu_ms": percentiles(cpu[limit]),
            "candidates_scored": round(statistics.mean(found[limit]), 1),
        }
        for limit in limits
    }


def measure(n: int, domain: int, runs: int, *, limits: list[int], profile: bool = False) -> dict[str, Any]:
    from xinfang.analysis.repeats import SCORED, candidate_ids, sharing_query, sign_text

    timed = time_lookups(n, domain, runs, limits)
    rng = random.Random(SEED + 1)  # noqa: S311 (test data)
    rows, sharing = [], []
    if profile:
        show_profile([Probe(new_letter_keys(rng, domain, max(1, n // 3))) for _ in range(runs)])
    for _ in range(runs // 2):  # the index part alone, on probes of its own
        probe = Probe(new_letter_keys(rng, domain, max(1, n // 3)))
        started = time.perf_counter()
        candidate_ids(probe)  # type: ignore[arg-type]
        sharing.append((time.perf_counter() - started) * 1000)
    from django.db import connection

    with connection.cursor() as c:
        keys = new_letter_keys(rng, domain, max(1, n // 3))
        probe = Probe(keys)
        assert len(candidate_ids(probe)) <= SCORED  # type: ignore[arg-type]
        c.execute("SELECT count(*) FROM analysis_signaturekey WHERE key = ANY(%s)", [keys])
        rows.append(c.fetchone()[0])
        query = sharing_query(probe, None, SCORED)  # type: ignore[arg-type]
        assert query is not None
        c.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query[0]}", query[1])
        plan = "\n".join(row[0] for row in c.fetchall())
    data = ROOT / "tests" / "analysis" / "data"
    letters = [
        json.loads(line)["text"]
        for name in ("dispatch.jsonl", "emergency_letters.jsonl")
        for line in (data / name).open(encoding="utf-8")
        if line.strip()
    ]
    letters = [" ".join(letters[i : i + 4]) for i in range(0, len(letters), 4)]  # a long letter: four short ones
    for text in letters[:20]:
        sign_text(text)  # warm-up
    signing = []
    for text in letters * 3:
        started = time.perf_counter()
        sign_text(text)
        signing.append((time.perf_counter() - started) * 1000)
    return {
        "lookup_by_letters_scored": timed,
        "sharing_query_ms": percentiles(sharing),
        "index_entries_read": rows[0],
        "signature_ms": percentiles(signing),
        "signature_text_chars": round(statistics.mean(len(t) for t in letters)),
        "plan": plan,
    }


# What a look-up reads; a live index, used every few seconds, stands in shared buffers.
PREWARM = ("signature_key_idx", "signature_bands_idx", "analysis_lettersignature_pkey", "analysis_lettersignature")


def prewarm() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        for name in PREWARM:
            c.execute("SELECT pg_prewarm(r) FROM (SELECT to_regclass(%s) AS r) x WHERE r IS NOT NULL", [name])
            if (row := c.fetchone()) is not None:
                print(f"  pg_prewarm {name}: {row[0]:,} blocks", flush=True)


def settle(ready_file: str | None) -> None:
    """Let the build's writes reach the disk before timing: a checkpoint, the kernel's dirty pages
    flushed, and — with ``--measure-when FILE`` — a wait until FILE exists, so that on a shared
    machine the look-ups can be timed at a moment chosen as quiet."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("CHECKPOINT")
    os.sync()
    prewarm()
    if ready_file:
        print(f"built; measuring once {ready_file} exists", flush=True)
        while not Path(ready_file).exists():
            time.sleep(1)
    print(f"measuring (load average {Path('/proc/loadavg').read_text(encoding='utf-8').split()[0]})", flush=True)


def machine() -> dict[str, str]:
    from django.db import connection

    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        version = c.fetchone()[0]
        c.execute("SELECT current_setting('shared_buffers'), current_setting('effective_cache_size')")
        buffers, cache = c.fetchone()
        c.execute("SELECT pg_size_pretty(pg_total_relation_size('analysis_signaturekey'))")
        size = c.fetchone()[0]
    return {
        "cpu": f"{len(models)} × {models[0] if models else '?'}",
        "postgresql": f"{version}, shared_buffers {buffers}, effective_cache_size {cache}",
        "signaturekey_size": str(size),
        "load": Path("/proc/loadavg").read_text(encoding="utf-8").split()[0],
    }


def inner(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ.setdefault("XINFANG_DEBUG", "0")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--inner needs DATABASE_URL pointing at PostgreSQL (run without --inner)")
    import django

    django.setup()
    from django.core.management import call_command

    print("migrate", flush=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    print(f"generating {args.letters:,} letters' signatures", flush=True)
    domain = generate(args.letters, args.collision)
    setup = time.perf_counter() - started
    settle(args.measure_when)
    from xinfang.analysis.repeats import SCORED

    figures = measure(args.letters, domain, args.runs, limits=args.scored or [SCORED], profile=args.profile)
    report = {"letters": args.letters, "collision": args.collision, "setup_seconds": round(setup), **figures,
              "machine": machine()}  # fmt: skip
    print(report.pop("plan"))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=1_000_000, help="letters' signatures (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=1000, help="timed look-ups (default 1000)")
    parser.add_argument("--collision", type=float, default=COLLISION, help="share of unrelated pairs sharing a band")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--measure-when", metavar="FILE", help="after building, wait until FILE exists to time")
    parser.add_argument(
        "--default-memory", action="store_true", help="PostgreSQL's default 128 MB shared_buffers, no production memory"
    )
    parser.add_argument(
        "--scored", type=int, nargs="+", help="letters scored per look-up (default: the product's); several: each timed"
    )
    parser.add_argument("--profile", action="store_true", help="print where the look-up's client time goes (cProfile)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1000 <= args.letters <= 9_999_999:
        parser.error("--letters must be between 1,000 and 9,999,999")
    if args.inner:
        return inner(args)
    if args.json:
        argv = [a if a != args.json else str(Path(args.json).resolve()) for a in argv]
    return outer([a for a in argv if a != "--default-memory"], args.default_memory)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
