"""Benchmark the public pages of published letters (issue 18 §1: "fast at 100,000 published letters").

    .venv/bin/python scripts/bench_publication.py                       # 100,000 published letters
    .venv/bin/python scripts/bench_publication.py --publications 20000  # a quick run

1. Start a throwaway PostgreSQL (``scripts/with_postgres.py``) and run this script inside it
   (``--inner``): migrate (the trigram indexes of ``publication.0004`` included), load the unit tree
   and the mailboxes.
2. Create the letters and their publications with ``bulk_create``, all in the Guangdong mailbox
   (the worst case: one mailbox holds them all), over 24 months, with texts made of common phrases;
   "户籍" is in about one in five, "周末开放" and the two-character "枪支" in one in a thousand.
   ``VACUUM ANALYZE``.
3. Time each public page with ``django.test.Client`` (warm-up, then ``--runs`` requests: p50, p95,
   the SQL time alone, queries, and the load average before and after: the machine may be shared) and print
   ``EXPLAIN ANALYZE`` of the search queries with ``--explain``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHRASES = [
    "建议派出所延长办公时间",
    "交通信号灯配时不合理",
    "小区周边治安巡逻",
    "出入境证件办理流程",
    "身份证补办需要的材料",
    "夜间施工噪音扰民",
    "电动车被盗后的处理",
    "网络诈骗的防范宣传",
    "驾驶证换证的时限",
    "居住证办理的条件",
    "感谢民警热情帮助",
    "学校门口交通拥堵",
]
COMMON, RARE, RARE_SHORT, ABSENT_SHORT = "户籍", "周末开放", "枪支", "警犬"


def outer(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import with_postgres

    return int(with_postgres.main(["--", sys.executable, str(Path(__file__).resolve()), "--inner", *argv]))


def generate(count: int) -> str:
    """Create ``count`` replied letters with their publications; return one publication's public id."""
    import datetime as dt

    from django.utils import timezone

    from xinfang.letters.models import Letter
    from xinfang.orgs.models import Mailbox, Unit
    from xinfang.publication.models import Publication

    rng = random.Random(18)  # noqa: S311  (test data, not secrets)
    box = Mailbox.objects.get(slug="gd")
    tianhe = Unit.objects.get(code="440106")
    now = timezone.now()
    batch = 5000
    for start in range(0, count, batch):
        letters = []
        for i in range(start, min(start + batch, count)):
            words = rng.sample(PHRASES, 4)
            if rng.random() < 0.2:
                words.append(f"{COMMON}迁移")
            if i % 1000 == 0:
                words.append(f"建议{RARE}")
            if i % 1000 == 500:
                words.append(f"{RARE_SHORT}管理")
            received = now - dt.timedelta(days=30 + rng.randrange(700), minutes=rng.randrange(1440))
            letters.append(
                Letter(
                    tracking_number=f"GD-B{i:09d}",
                    query_code_hash="-",
                    mailbox=box,
                    letter_type="suggestion",
                    channel="web",
                    subject=words[0],
                    text="，".join(words) + "。",
                    state="replied",
                    intake_unit=box.owner,
                    handling_unit=tianhe,
                    received_at=received,
                    replied_at=received + dt.timedelta(days=20),
                    reply_text="经研究，已采纳您的建议。",
                    consent_to_publish=True,
                )
            )
        Letter.objects.bulk_create(letters)
        Publication.objects.bulk_create(
            Publication(
                letter=letter,
                mailbox=box,
                unit=tianhe,
                state="published",
                title=letter.subject,
                published_text=letter.text,
                published_reply=letter.reply_text,
                published_at=letter.received_at + dt.timedelta(days=23),
            )
            for letter in letters
        )
        print(f"  {min(start + batch, count):,}", flush=True)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE letters_letter")
        c.execute("VACUUM ANALYZE portal_publication")
    return str(Publication.objects.order_by("-published_at").values_list("public_id", flat=True)[0])


def time_page(path: str, params: dict[str, str], runs: int, warmup: int) -> tuple[float, float, float, int]:
    """p50 and p95 of the whole request, p50 of its SQL time alone, and its number of queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for _ in range(warmup):
        assert client.get(path, params).status_code == 200
    times, sql = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], statistics.median(sql), len(queries)


def inner(args: argparse.Namespace) -> int:
    import datetime as dt

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ.setdefault("XINFANG_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from xinfang.orgs.services import ensure_default_mailboxes

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    ensure_default_mailboxes()
    started = time.perf_counter()
    print(f"generating {args.publications:,} published letters", flush=True)
    public_id = generate(args.publications)
    print(f"ready in {time.perf_counter() - started:.0f} s\n")
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=40)).strftime("%Y-%m")
    cases = [
        ("list, first page", "/m/gd/published/", {}),
        ("list, page 50", "/m/gd/published/", {"page": "50"}),
        ("list, page 250 (the deepest)", "/m/gd/published/", {"page": "250"}),
        (f"search {COMMON} (~20%)", "/m/gd/published/", {"q": COMMON}),
        (f"search {COMMON}, page 40", "/m/gd/published/", {"q": COMMON, "page": "40"}),
        (f"search {RARE} (~0.1%)", "/m/gd/published/", {"q": RARE}),
        (f"search {RARE_SHORT} (2 characters, ~0.1%)", "/m/gd/published/", {"q": RARE_SHORT}),
        (f"search {ABSENT_SHORT} (2 characters, no match)", "/m/gd/published/", {"q": ABSENT_SHORT}),
        ("search, two words", "/m/gd/published/", {"q": f"{COMMON} 噪音"}),
        ("search, no match", "/m/gd/published/", {"q": "无此内容"}),
        ("month filter", "/m/gd/published/", {"month": month}),
        ("type + police type", "/m/gd/published/", {"letter_type": "suggestion", "police_type": "traffic"}),
        ("detail", f"/m/gd/published/{public_id}/", {}),
    ]
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| page | p50 ms | p95 ms | SQL p50 ms | queries |\n|---|--:|--:|--:|--:|")
    for name, path, params in cases:
        p50, p95, sql, queries = time_page(path, params, args.runs, args.warmup)
        print(f"| {name} | {p50:.0f} | {p95:.0f} | {sql:.1f} | {queries} |", flush=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.explain:
        from django.db.models import Q

        from xinfang.orgs.models import Mailbox
        from xinfang.publication.selectors import COUNT_CAP, PublicFilters, published

        box = Mailbox.objects.get(slug="gd")
        for query in (COMMON, RARE, RARE_SHORT, ABSENT_SHORT):
            rows = published(box, PublicFilters(query=query))
            capped = rows.order_by().values("pk")[: COUNT_CAP + 1]
            print(f"\nEXPLAIN ANALYZE capped count (the counted rows), q={query}:\n{capped.explain(analyze=True)}")
            print(f"\nEXPLAIN ANALYZE first page, q={query}:\n{rows[:21].explain(analyze=True)}")
        # What a two-character word cost before migration 0005: a substring match (pg_trgm cannot help).
        like = Q(title__icontains=RARE_SHORT) | Q(published_text__icontains=RARE_SHORT)
        like |= Q(published_reply__icontains=RARE_SHORT)
        rows = published(box).filter(like)
        print(f"\nEXPLAIN ANALYZE first page, q={RARE_SHORT} as a substring match:\n{rows[:21].explain(analyze=True)}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return inner(args) if args.inner else outer(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
