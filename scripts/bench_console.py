"""Benchmark the staff console on 1,000,000 letters in a throwaway PostgreSQL (issue 6, item 8; issue 17 §3).

    .venv/bin/python scripts/bench_console.py                    # 1,000,000 letters
    .venv/bin/python scripts/bench_console.py --letters 10000000 # the full size: ~21 GB, half an hour to build
    .venv/bin/python scripts/bench_console.py --letters 50000    # a quick run
    .venv/bin/python scripts/bench_console.py --json var/bench.json --explain

1. Start a throwaway PostgreSQL with ``scripts/with_postgres.py`` and run this script inside it
   (``--inner``), which migrates and loads the real unit tree, mailboxes and holidays.
2. Create the letters with set-based SQL (``generate_series``), spread over every province's
   mailboxes and units, a year of receipt dates and realistic states (see :data:`STATES`), with
   their due dates, timeline events, supervision orders, extensions, messages and citizens; then
   ``VACUUM ANALYZE``, as autovacuum would have done on a live database.
3. Sign in the staff of the shared cast (an acceptor and a seat agent at the Guangdong department,
   a handler and a leader at the Tianhe district branch, inspectors at the Guangzhou bureau and at
   the Guangdong department) the way ``tests/console/conftest.py`` does, and time each console page
   with ``django.test.Client`` and each selector behind it: warm-up, then ``--runs`` requests;
   p50, p95 and the number of SQL queries.
4. The recommendations of the first run (docs/benchmarks.md, 2026-11-23: JIT off, the partial
   indexes, unit-id lists instead of path joins, the stored ``owing_unit``) are in the product now;
   the script measures the product as it is.

``--explain`` prints ``EXPLAIN ANALYZE`` of the slowest query of every page over the budget.
With ``DATABASE_URL`` already set, ``--inner`` uses that database (``--reuse`` skips generating
letters when some exist), which is handy while studying plans.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 100.0  # every console page's p95 (issue 17 §3); --explain prints the plans of slower ones
SEED = 0.20261123

# Share of all letters in each state (the rest are closed). ~5% wait at a front desk, ~10% are in
# handling, the great majority are finished.
STATES: list[tuple[str, float]] = [
    ("received", 0.030),
    ("info_requested", 0.005),
    ("accepted", 0.015),
    ("assigned", 0.035),
    ("in_handling", 0.050),
    ("reply_drafted", 0.015),
    ("replied", 0.015),
    ("evaluated", 0.005),
    ("review_requested", 0.003),
    ("review_answered", 0.002),
    ("reexam_requested", 0.001),
    ("not_accepted", 0.060),
    ("referred", 0.030),
    ("emergency_redirected", 0.002),
    ("concluded", 0.007),
]

OPEN_STATES = (
    "received", "info_requested", "accepted", "assigned", "in_handling", "reply_drafted", "replied", "evaluated",
    "review_requested", "review_answered", "reexam_requested",
)  # fmt: skip

# ---------------------------------------------------------------- outer: a throwaway server


def outer(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import with_postgres

    return int(with_postgres.main(["--", sys.executable, str(Path(__file__).resolve()), "--inner", *argv]))


# ---------------------------------------------------------------- data generation


def _state_case() -> str:
    """The SQL CASE that turns the uniform ``us`` into a state with the shares of :data:`STATES`."""
    lines, total = [], 0.0
    for state, share in STATES:
        total += share
        lines.append(f"WHEN us < {total:.6f} THEN '{state}'")
    return "CASE " + " ".join(lines) + " ELSE 'closed' END"


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "志强", "玉兰", "海燕"]  # fmt: skip

SUBJECTS = {
    "complaint": ["反映派出所民警办事态度生硬", "投诉交警执法不规范", "反映报警后出警迟缓", "投诉窗口工作人员推诿"],
    "report": ["举报民警违规收受财物", "举报辅警参与赌博", "举报民警违规插手经济纠纷", "举报有人冒充民警诈骗"],
    "inquiry": ["咨询户口迁移办理流程", "咨询出入境证件办理时限", "咨询居住证申领条件", "咨询驾驶证换领手续"],
    "request": ["请求尽快处理邻里纠纷", "请求追回被骗钱款", "请求调取事故现场监控", "请求加强小区周边巡逻"],
    "suggestion": ["建议增设夜间办证窗口", "建议优化网上预约系统", "建议在学校周边设置护学岗"],
    "praise": ["表扬民警热心帮助群众", "感谢派出所及时找回走失老人", "表扬交警雨中疏导交通"],
}
TEXT = (
    "本人于今年在辖区内遇到上述问题，已多次通过电话和窗口反映，但至今未得到明确答复。"
    "现将有关情况说明如下：事情经过、时间地点和相关人员均已在附件中列明，请公安机关依法核实处理，"
    "并将处理结果告知本人。联系方式见登记信息。"
)
POLICE_TYPES = [
    ("public_order", 25), ("criminal", 20), ("traffic", 20), ("household", 10), ("exit_entry", 5), ("cyber", 5),
    ("economic", 5), ("inspection", 3), ("narcotics", 2), ("legal", 2), ("detention", 1), ("discipline", 1),
    ("petition", 1),
]  # fmt: skip


def _weighted_array(items: list[tuple[str, int]]) -> str:
    """A SQL array in which each value appears as often as its weight (index it with a uniform)."""
    values = [value for value, weight in items for _ in range(weight)]
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + f"]::text[], {len(values)}"


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


@dataclass
class Ids:
    mps: int
    national_mailbox: int
    national_intake: int
    tianhe: int
    handler: int
    acceptor: int
    inspector_city: int
    staff: int


def _sql(cursor: Any, label: str, statement: str, params: dict[str, Any] | None = None) -> None:
    started = time.perf_counter()
    cursor.execute(statement, params)
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


def generate(n: int, ids: Ids) -> None:
    """Create ``n`` letters and everything around them in a handful of set-based statements.

    Caveats: due dates add the legal limits in calendar days (acceptance 15, reply 60 and 30 more
    with an approved extension, review and re-examination 30, misrouting return 7 for 5 working
    days) without moving a limit that ends on a rest day; the audit log is not filled.
    """
    from django.db import connection, transaction

    citizens = max(1000, n // 5)
    with transaction.atomic(), connection.cursor() as c:
        # Foreign keys are checked once, set-based, at the end (_check_foreign_keys) instead of by a
        # deferred trigger per row and key; the big tables' secondary indexes are built after the load.
        c.execute("SET LOCAL session_replication_role = replica")
        c.execute("SELECT setseed(%s)", [SEED])
        c.execute("SELECT coalesce(max(id), 0) FROM accounts_user")
        user_base = int(c.fetchone()[0]) + 1000
        c.execute("SELECT coalesce(max(id), 0) FROM letters_letter")
        letter_base = int(c.fetchone()[0])
        params = {"n": n, "citizens": citizens, "ubase": user_base, "lbase": letter_base, **asdict(ids)}
        restore = _drop_indexes(c, ["letters_letter", "letters_letterevent"])
        _citizens(c, params)
        slots = _places(c)
        params["slots"] = slots
        _plan(c, params)
        _letters(c, params)
        _events(c, params)
        _around(c, params)
        for table in ("accounts_user", "letters_letter"):
            c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        c.execute("DROP TABLE bench_plan")
        started = time.perf_counter()
        for statement in restore:
            c.execute(statement)
        print(f"  indexes and unique constraints: {time.perf_counter() - started:.1f} s", flush=True)
        _check_foreign_keys(c, FILLED_TABLES)
    with connection.cursor() as c:
        _sql(c, "VACUUM ANALYZE", "VACUUM ANALYZE " + ", ".join(FILLED_TABLES))


FILLED_TABLES = [
    "letters_letter", "letters_letterevent", "letters_supervisionorder", "letters_extension", "letters_message",
    "accounts_user", "accounts_citizenidentity", "letters_anonymouscaller",
]  # fmt: skip


def _drop_indexes(c: Any, tables: list[str]) -> list[str]:
    """Drop the secondary indexes and unique constraints of ``tables``; return the DDL that restores them."""
    restore = []
    for table in tables:
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'u'",
            [table],
        )
        for name, definition in c.fetchall():
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        c.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint WHERE conname = i.indexname AND conrelid = %s::regclass)",
            [table, table],
        )
        for name, definition in c.fetchall():
            restore.append(definition)
            c.execute(f'DROP INDEX "{name}"')
    return restore


def _check_foreign_keys(c: Any, tables: list[str]) -> None:
    """Every foreign key of ``tables`` points at an existing row (what the skipped triggers would have checked)."""
    started = time.perf_counter()
    c.execute(
        """
        SELECT k.conrelid::regclass::text, a.attname, k.confrelid::regclass::text, af.attname
        FROM pg_constraint k
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        JOIN pg_attribute af ON af.attrelid = k.confrelid AND af.attnum = k.confkey[1]
        WHERE k.contype = 'f' AND k.conrelid::regclass::text = ANY(%s)
        """,
        [tables],
    )
    for table, column, target, target_column in c.fetchall():
        c.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
        )
        missing = c.fetchone()[0]
        if missing:
            raise SystemExit(f"{missing} rows of {table}.{column} point at no {target} row")
    print(f"  foreign keys checked: {time.perf_counter() - started:.1f} s", flush=True)


def _citizens(c: Any, p: dict[str, Any]) -> None:
    """Citizen accounts by SQL; their identities through the model's fields, which encrypt them (``xinfang.vault``)."""
    _sql(
        c,
        f"{p['citizens']:,} citizens",
        """
        INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                                   is_active, date_joined, kind, language)
        SELECT %(ubase)s + g, '!', false, 'bench-c-' || g, '', '', '', false, true,
               now() - mod(g, 1500) * interval '1 day', 'citizen', 'zh-hans'
        FROM generate_series(1, %(citizens)s) g
        """,
        p,
    )
    started = time.perf_counter()
    _copy_identities(c, p["ubase"], p["citizens"])
    print(f"  identities (encrypted): {time.perf_counter() - started:.1f} s", flush=True)


def _copy_identities(c: Any, ubase: int, count: int) -> None:
    """COPY the identities, encrypted and hashed by the model's own fields (names come from a small pool)."""
    from xinfang.accounts.models import CitizenIdentity
    from xinfang.vault import lookup_hash

    def field(name: str) -> Any:
        return CitizenIdentity._meta.get_field(name)

    def prep(name: str, value: str) -> Any:
        return field(name).get_prep_value(value)

    def digest(name: str, value: str) -> str:
        return lookup_hash(field(name).purpose, value)

    names = [prep("real_name", s + g) for s in SURNAMES for g in GIVEN]
    verified = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
    address = prep("address", "")
    columns = "user_id, real_name, id_number, phone, phone_verified_at, address, phone_hash, id_number_hash"
    with c.cursor.copy(f"COPY accounts_citizenidentity ({columns}) FROM STDIN") as copy:
        for g in range(1, count + 1):
            id_number = f"44{g % 10000:04d}{1950 + g % 50}{1 + g % 12:02d}{1 + g % 28:02d}{g % 1000:03d}X"
            phone = caller_phone(g)
            copy.write_row(
                (ubase + g, names[g * 7 % len(names)], prep("id_number", id_number), prep("phone", phone), verified,
                 address, digest("phone_hash", phone), digest("id_number_hash", id_number))
            )  # fmt: skip


def caller_phone(g: int) -> str:
    """The mobile number of the ``g``-th benchmark citizen."""
    return f"13{g:09d}"


def _places(c: Any) -> int:
    """Counties with their city, province and mailboxes, weighted, laid out as integer slots.

    A county's weight is heavy-tailed (some districts are far busier than others); Guangdong's
    weigh double (its population); the Tianhe district branch gets 0.5% of all letters, a busy
    district for the handler and leader being measured. Returns the number of slots.
    """
    _sql(
        c,
        "places",
        """
        CREATE TEMP TABLE bench_county AS
        SELECT cty.id AS county_id, prov.id AS province_id, coalesce(pref.id, prov.id) AS city_id,
               mprov.id AS province_mailbox_id, coalesce(mcity.id, mprov.id) AS city_mailbox_id,
               (1.0 / (0.05 + random())) * CASE WHEN prov.code = '440000' THEN 2 ELSE 1 END AS w,
               cty.code AS county_code
        FROM orgs_unit cty
        JOIN orgs_unit prov ON prov.path = left(cty.path, 8)
        LEFT JOIN orgs_unit pref ON cty.depth = 4 AND pref.path = left(cty.path, 12)
        JOIN orgs_mailbox mprov ON mprov.owner_id = prov.id
        LEFT JOIN orgs_mailbox mcity ON mcity.owner_id = pref.id
        WHERE cty.kind = 'bureau' AND cty.level = 'county' AND cty.is_active;
        UPDATE bench_county SET w = 0.005 / 0.995 * (SELECT sum(w) FROM bench_county WHERE county_code <> '440106')
        WHERE county_code = '440106';
        CREATE TEMP TABLE bench_slot AS
        SELECT (row_number() OVER (ORDER BY county_id) - 1)::int AS slot, county_id
        FROM (SELECT county_id,
                     generate_series(1, greatest(1, round(w / (SELECT sum(w) FROM bench_county) * 200000)::int))
              FROM bench_county) x;
        CREATE INDEX ON bench_slot (slot);
        CREATE TEMP TABLE bench_dept AS
        SELECT bureau_of_department_id AS bureau_id, police_type, id AS dept_id
        FROM orgs_unit WHERE kind = 'department';
        ANALYZE bench_county; ANALYZE bench_slot; ANALYZE bench_dept;
        """,
    )
    c.execute("SELECT count(*) FROM bench_slot")
    return int(c.fetchone()[0])


def _plan(c: Any, p: dict[str, Any]) -> None:
    """One row per letter: where it came from, where it is, its state and the days since each step."""
    police = _weighted_array(POLICE_TYPES)
    _sql(
        c,
        f"plan of {p['n']:,} letters",
        f"""
        CREATE UNLOGGED TABLE bench_plan AS
        WITH r AS (
            SELECT %(lbase)s + g AS id, g, random() AS us, random() AS um, random() AS uh, random() AS ua,
                   random() AS ut, random() AS uw, random() AS ud, random() AS ux, random() AS uc, random() AS ue,
                   random() AS uf, random() AS up, random() AS uk, floor(random() * %(slots)s)::int AS slot
            FROM generate_series(1, %(n)s) g
        ), s AS (
            SELECT r.*, bc.*, {_state_case()} AS state,
                   CASE WHEN um < 0.05 THEN 'national' WHEN um < 0.30 THEN 'province' ELSE 'city' END AS box
            FROM r JOIN bench_slot USING (slot) JOIN bench_county bc USING (county_id)
        ), t AS (
            SELECT s.*,
                   CASE WHEN box = 'national' THEN (ARRAY['complaint','report','inquiry'])[1 + floor(ut * 3)::int]
                        WHEN ut < 0.30 THEN 'complaint' WHEN ut < 0.42 THEN 'report' WHEN ut < 0.72 THEN 'inquiry'
                        WHEN ut < 0.87 THEN 'request' WHEN ut < 0.95 THEN 'suggestion' ELSE 'praise' END
                       AS letter_type,
                   CASE WHEN up < 0.10 THEN '' ELSE (pt.a)[1 + floor((up - 0.10) / 0.90 * pt.n)::int] END
                       AS police_type
            FROM s, (SELECT {police}) AS pt(a, n)
        ), a AS (
            SELECT t.*,
                   letter_type IN ('complaint', 'report') AND ua < CASE WHEN box = 'national' THEN 0.6 ELSE 0.15 END
                       AS accused,
                   state IN ('assigned', 'in_handling', 'reply_drafted', 'replied', 'evaluated', 'review_requested',
                             'review_answered', 'reexam_requested', 'concluded')
                       OR (state = 'closed' AND uc >= 0.15) AS handled
            FROM t
        ), h AS (
            SELECT a.*,
                   CASE box WHEN 'national' THEN %(national_mailbox)s WHEN 'province' THEN province_mailbox_id
                            ELSE city_mailbox_id END AS mailbox_id,
                   CASE box WHEN 'national' THEN %(national_intake)s WHEN 'province' THEN province_id
                            ELSE city_id END AS intake_unit_id,
                   CASE box WHEN 'national' THEN %(mps)s WHEN 'province' THEN province_id
                            ELSE city_id END AS intake_bureau_id,
                   CASE WHEN NOT handled THEN NULL
                        WHEN accused THEN dacc.dept_id
                        WHEN box = 'national' THEN coalesce(dprov.dept_id, province_id)
                        WHEN box = 'province' AND uh < 0.45 AND city_id <> province_id THEN city_id
                        WHEN box = 'province' AND uh < 0.80 THEN county_id
                        WHEN box = 'province' THEN coalesce(dprov.dept_id, county_id)
                        WHEN uh < 0.65 THEN county_id
                        ELSE coalesce(dcity.dept_id, county_id) END AS handling_unit_id,
                   CASE WHEN NOT handled THEN NULL
                        WHEN accused THEN 'city'
                        WHEN box = 'national' THEN 'province'
                        WHEN box = 'province' AND uh < 0.45 AND city_id <> province_id THEN 'city'
                        WHEN box = 'province' AND uh < 0.80 THEN 'county'
                        WHEN box = 'province' THEN CASE WHEN dprov.dept_id IS NULL THEN 'county' ELSE 'province' END
                        WHEN uh < 0.65 THEN 'county'
                        ELSE CASE WHEN dcity.dept_id IS NULL THEN 'county' ELSE 'city' END END AS handling_level
            FROM a
            LEFT JOIN bench_dept dacc ON dacc.bureau_id = a.city_id
                AND dacc.police_type = CASE WHEN a.letter_type = 'report' THEN 'discipline' ELSE 'inspection' END
            LEFT JOIN bench_dept dprov ON dprov.bureau_id = a.province_id AND dprov.police_type = a.police_type
            LEFT JOIN bench_dept dcity ON dcity.bureau_id = a.city_id AND dcity.police_type = a.police_type
        ), d AS (
            SELECT h.*,
                   -- the bureau above the one that holds the letter (reviews; automatic supervision)
                   CASE WHEN coalesce(handling_level, CASE box WHEN 'city' THEN 'city' WHEN 'province'
                                                              THEN 'province' ELSE 'ministry' END) = 'county'
                            THEN city_id
                        WHEN coalesce(handling_level, CASE box WHEN 'city' THEN 'city' WHEN 'province'
                                                           THEN 'province' ELSE 'ministry' END) = 'city'
                             AND city_id <> province_id THEN province_id
                        ELSE %(mps)s END AS superior_id,
                   -- days since each step, counted back from the latest one the state implies
                   CASE state
                        WHEN 'received' THEN uw * 17
                        WHEN 'info_requested' THEN 3 + uw * 30
                        WHEN 'accepted' THEN 2 + uw * 25
                        WHEN 'assigned' THEN 3 + uw * 35
                        WHEN 'in_handling' THEN 5 + 70 * power(uw, 1.5)
                        WHEN 'reply_drafted' THEN 15 + 55 * power(uw, 1.5)
                        WHEN 'replied' THEN uc * 28 + 15 + uw * 45
                        WHEN 'evaluated' THEN uc * 28 + 15 + uw * 45
                        WHEN 'review_requested' THEN uc * 35 + 1 + ud * 25 + 15 + uw * 45
                        WHEN 'review_answered' THEN uc * 28 + 5 + ux * 20 + 1 + ud * 25 + 15 + uw * 45
                        WHEN 'reexam_requested' THEN uc * 35 + 1 + ux * 25 + 5 + ud * 20 + 1 + ux * 25 + 15 + uw * 45
                        WHEN 'concluded' THEN uc * 250 + 5 + ud * 25 + 1 + ux * 25 + 5 + ud * 20 + 1 + ux * 25
                                              + 15 + uw * 45
                        WHEN 'closed' THEN 45 + uw * 320
                        ELSE uw * 365 END AS recv_ago
            FROM h
        )
        SELECT d.*,
               CASE WHEN state IN ('received', 'info_requested', 'not_accepted', 'referred', 'emergency_redirected')
                        THEN NULL
                    WHEN state = 'accepted' THEN recv_ago * (0.3 + 0.6 * ud)
                    WHEN state = 'assigned' THEN recv_ago * (0.5 + 0.4 * ud)
                    ELSE greatest(recv_ago - 0.5 - ud * 5, recv_ago * 0.5) END AS acc_ago,
               CASE state WHEN 'replied' THEN uc * 28 WHEN 'evaluated' THEN uc * 28
                          WHEN 'review_requested' THEN uc * 35 + 1 + ud * 25
                          WHEN 'review_answered' THEN uc * 28 + 5 + ux * 20 + 1 + ud * 25
                          WHEN 'reexam_requested' THEN uc * 35 + 1 + ux * 25 + 5 + ud * 20 + 1 + ux * 25
                          WHEN 'concluded' THEN uc * 250 + 5 + ud * 25 + 1 + ux * 25 + 5 + ud * 20 + 1 + ux * 25
                          WHEN 'closed' THEN 31 + (recv_ago - 41) * ux END AS rep_ago,
               CASE state WHEN 'review_requested' THEN uc * 35
                          WHEN 'review_answered' THEN uc * 28 + 5 + ux * 20
                          WHEN 'reexam_requested' THEN uc * 35 + 1 + ux * 25 + 5 + ud * 20
                          WHEN 'concluded' THEN uc * 250 + 5 + ud * 25 + 1 + ux * 25 + 5 + ud * 20 END AS rrq_ago,
               CASE state WHEN 'review_answered' THEN uc * 28
                          WHEN 'reexam_requested' THEN uc * 35 + 1 + ux * 25
                          WHEN 'concluded' THEN uc * 250 + 5 + ud * 25 + 1 + ux * 25 END AS ran_ago,
               CASE state WHEN 'reexam_requested' THEN uc * 35
                          WHEN 'concluded' THEN uc * 250 + 5 + ud * 25 END AS xrq_ago,
               CASE state WHEN 'concluded' THEN uc * 250
                          WHEN 'closed' THEN greatest(31 + (recv_ago - 41) * ux - 30 - uc, 0)
                          WHEN 'not_accepted' THEN greatest(recv_ago - 1 - ud * 14, 0)
                          WHEN 'referred' THEN greatest(recv_ago - 1 - ud * 14, 0)
                          WHEN 'emergency_redirected' THEN greatest(recv_ago - 0.05, 0) END AS fin_ago,
               CASE WHEN state IN ('in_handling', 'reply_drafted') AND ue < 0.05 THEN 30 ELSE 0 END AS extension_days,
               CASE WHEN handled AND state NOT IN ('closed', 'concluded') AND uf < 0.015 THEN 1
                    WHEN handled AND state NOT IN ('closed', 'concluded') AND uf < 0.018 THEN 2 ELSE 0 END
                   AS return_count,
               CASE WHEN uf > 0.8 THEN 'assign' ELSE 'transfer' END AS assignment_mode,
               -- telephone calls come in through 12389 only (the other mailboxes' default channels);
               -- a third of them are anonymous
               CASE WHEN box = 'national' AND ux < 0.4 THEN 'telephone'
                    WHEN uk < 0.55 THEN 'web' WHEN uk < 0.95 THEN 'wechat' ELSE 'weibo' END AS channel,
               box = 'national' AND ux < 0.4 AND ue > 0.66 AS anonymous,
               %(ubase)s + 1 + least(floor(%(citizens)s * power(random(), 1.3))::int, %(citizens)s - 1)
                   AS citizen_id
        FROM d
        """,  # noqa: S608
        p,
    )
    c.execute("ALTER TABLE bench_plan ADD PRIMARY KEY (id); ANALYZE bench_plan")


def _letters(c: Any, p: dict[str, Any]) -> None:
    from xinfang.letters.models import AnonymousCaller

    subjects = {kind: _sql_array(values) for kind, values in SUBJECTS.items()}
    subject_case = " ".join(
        f"WHEN '{kind}' THEN ({array})[1 + mod(b.g, {len(SUBJECTS[kind])})]" for kind, array in subjects.items()
    )
    due_soon_days = 3
    c.execute("SELECT id FROM bench_plan WHERE anonymous ORDER BY id")
    anonymous = [AnonymousCaller(id=row[0], phone=f"1{row[0] * 7919 % 10**10:010d}") for row in c.fetchall()]
    AnonymousCaller.objects.bulk_create(anonymous, batch_size=5000)
    c.execute("SELECT setval(pg_get_serial_sequence('letters_anonymouscaller', 'id'), "
              "(SELECT greatest(max(id), 1) FROM letters_anonymouscaller))")  # fmt: skip
    _sql(
        c,
        f"{p['n']:,} letters",
        f"""
        WITH b AS (
            SELECT bench_plan.*, now() - recv_ago * interval '1 day' AS received_at,
                   now() - acc_ago * interval '1 day' AS accepted_at,
                   CASE WHEN handled THEN now() - greatest(acc_ago - 0.2 - ux * 2, acc_ago * 0.8) * interval '1 day'
                        END AS assigned_at,
                   now() - rep_ago * interval '1 day' AS replied_at,
                   now() - rrq_ago * interval '1 day' AS review_requested_at,
                   now() - ran_ago * interval '1 day' AS review_answered_at,
                   now() - xrq_ago * interval '1 day' AS reexam_requested_at,
                   now() - fin_ago * interval '1 day' AS finished_at,
                   CASE WHEN rrq_ago IS NOT NULL THEN superior_id END AS review_unit_id,
                   CASE WHEN xrq_ago IS NOT NULL THEN
                       CASE WHEN superior_id = city_id AND city_id <> province_id THEN province_id ELSE %(mps)s END
                       END AS reexam_unit_id
            FROM bench_plan
        ), dd AS (
            SELECT b.*,
                   timezone('Asia/Shanghai', received_at)::date + 15 AS accept_due,
                   timezone('Asia/Shanghai', accepted_at)::date + 60 + extension_days AS reply_due,
                   timezone('Asia/Shanghai', assigned_at)::date + 7 AS return_due,
                   timezone('Asia/Shanghai', replied_at)::date + 30 AS evaluation_due,
                   timezone('Asia/Shanghai', review_requested_at)::date + 30 AS review_due,
                   timezone('Asia/Shanghai', review_answered_at)::date + 30 AS reexam_request_due,
                   timezone('Asia/Shanghai', reexam_requested_at)::date + 30 AS reexam_due,
                   timezone('Asia/Shanghai', now())::date AS today
            FROM b
        ), cd AS (
            SELECT dd.*,
                   CASE state WHEN 'received' THEN accept_due
                              WHEN 'accepted' THEN reply_due WHEN 'assigned' THEN reply_due
                              WHEN 'in_handling' THEN reply_due WHEN 'reply_drafted' THEN reply_due
                              WHEN 'review_requested' THEN review_due WHEN 'reexam_requested' THEN reexam_due
                              END AS current_due
            FROM dd
        )
        INSERT INTO letters_letter (
            id, public_id, tracking_number, query_code_hash, letter_type, channel, subject, text, division_code,
            address, police_type, accused_officer_name, accused_badge_number, accused_officer_post, accuses_leadership,
            consent_to_publish, receipt_salt, emergency_flag, emergency_words,
            state, version, assignment_mode, assigned_at, return_count, sender_chain, refusal_reason, notice_text,
            referred_to, reply_text, review_answer, reexam_answer, rating, extension_days, received_at,
            acceptance_clock_from, accepted_at, replied_at, review_requested_at, review_answered_at,
            reexam_requested_at, finished_at, updated_at, accept_due, reply_due, return_due, evaluation_due,
            review_request_due, review_due, reexam_request_due, reexam_due, current_due, due_provisional,
            due_soon_marked, overdue_marked, supervision_flag, accused_unit_id, anonymous_caller_id,
            assigned_by_unit_id, citizen_id, handling_unit_id, intake_unit_id, mailbox_id, reexam_unit_id,
            registered_by_id, repeat_of_id, review_unit_id, owing_unit_id)
        SELECT b.id, gen_random_uuid(),
               mb.tracking_prefix || '-' || to_char(timezone('Asia/Shanghai', b.received_at), 'YYYYMMDD') || '-'
                   || lpad(mod(b.g::bigint * 7919, 10000000)::text, 7, '0'),
               'sha256$' || left(md5(b.g::text), 16) || '$' || md5('q' || b.g) || md5('r' || b.g),
               b.letter_type, b.channel,
               CASE b.letter_type {subject_case} END,
               {TEXT!r} || ' 编号' || b.g,
               cu.division_code, '', b.police_type,
               CASE WHEN b.accused AND b.ud < 0.3 THEN '王某' ELSE '' END, '', '',
               b.accused AND b.ue < 0.1, b.ux < 0.3, left(md5('salt' || b.g), 32), false, '[]'::jsonb,
               b.state, 1 + floor(b.uf * 5)::int,
               CASE WHEN b.handled THEN b.assignment_mode ELSE '' END,
               b.assigned_at, b.return_count,
               CASE WHEN b.handled THEN jsonb_build_array(b.intake_bureau_id) ELSE '[]'::jsonb END,
               CASE WHEN b.state = 'not_accepted' THEN 'not_police' ELSE '' END,
               CASE WHEN b.state = 'not_accepted' THEN '经审查，不属于公安机关职责范围，决定不予受理。' ELSE '' END,
               CASE WHEN b.state = 'referred' THEN '当地人民法院' ELSE '' END,
               CASE WHEN b.rep_ago IS NOT NULL OR b.state = 'reply_drafted'
                    THEN '经调查核实，现将处理情况答复如下：相关问题已依法处理。' ELSE '' END,
               CASE WHEN b.ran_ago IS NOT NULL THEN '经复查，维持原处理意见。' ELSE '' END,
               CASE WHEN b.state = 'concluded' THEN '经复核，维持复查意见。' ELSE '' END,
               CASE WHEN b.state = 'evaluated' OR (b.state = 'closed' AND b.ud < 0.6)
                    THEN (ARRAY['satisfied','satisfied','basically_satisfied','dissatisfied'])[1 + floor(b.ue * 4)::int]
                    ELSE '' END,
               b.extension_days, b.received_at, b.received_at, b.accepted_at, b.replied_at, b.review_requested_at,
               b.review_answered_at, b.reexam_requested_at, b.finished_at,
               now() - least(b.recv_ago, 1) * interval '1 day',
               b.accept_due, b.reply_due, b.return_due, b.evaluation_due, b.evaluation_due, b.review_due,
               b.reexam_request_due, b.reexam_due, b.current_due, false,
               CASE WHEN b.current_due BETWEEN b.today AND b.today + {due_soon_days} THEN b.current_due END,
               CASE WHEN b.current_due < b.today THEN b.current_due END,
               coalesce(b.current_due < b.today, false) OR (b.fin_ago IS NOT NULL AND b.ue < 0.04),
               CASE WHEN b.accused THEN b.county_id END,
               CASE WHEN b.anonymous THEN b.id END,
               CASE WHEN b.handled THEN b.intake_bureau_id END,
               CASE WHEN NOT b.anonymous THEN b.citizen_id END,
               b.handling_unit_id, b.intake_unit_id, b.mailbox_id, b.reexam_unit_id, NULL, NULL, b.review_unit_id,
               CASE b.state WHEN 'review_requested' THEN b.review_unit_id WHEN 'reexam_requested' THEN b.reexam_unit_id
                            ELSE coalesce(b.handling_unit_id, b.intake_unit_id) END
        FROM cd b
        JOIN orgs_mailbox mb ON mb.id = b.mailbox_id
        JOIN orgs_unit cu ON cu.id = b.county_id
        """,  # noqa: S608
        p,
    )


def _events(c: Any, p: dict[str, Any]) -> None:
    """At least one timeline row per letter: receipt, acceptance, assignment and the latest step."""
    _sql(c, "events: receive", """
        INSERT INTO letters_letterevent (letter_id, action, from_state, to_state, actor_id, at, reason,
                                         citizen_visible, data)
        SELECT id, 'receive', '', 'received', citizen_id, received_at, '', true, '{}'::jsonb FROM letters_letter
        WHERE id > %(lbase)s
    """, p)  # fmt: skip
    _sql(c, "events: accept", """
        INSERT INTO letters_letterevent (letter_id, action, from_state, to_state, actor_id, at, reason,
                                         citizen_visible, data)
        SELECT id, 'accept', 'received', 'accepted',
               CASE WHEN intake_unit_id = (SELECT unit_id FROM accounts_user WHERE id = %(acceptor)s)
                    THEN %(acceptor)s END,
               accepted_at, '', true, '{}'::jsonb
        FROM letters_letter WHERE id > %(lbase)s AND accepted_at IS NOT NULL
    """, p)  # fmt: skip
    _sql(c, "events: assign", """
        INSERT INTO letters_letterevent (letter_id, action, from_state, to_state, actor_id, at, reason,
                                         citizen_visible, data)
        SELECT l.id, 'assign', 'accepted', 'assigned', NULL, l.assigned_at, '', true,
               jsonb_build_object('unit', u.code, 'mode', l.assignment_mode, 'proposed', u.code,
                                  'followed_proposal', true, 'explanation', '[]'::jsonb)
        FROM letters_letter l JOIN orgs_unit u ON u.id = l.handling_unit_id
        WHERE l.id > %(lbase)s
    """, p)  # fmt: skip
    _sql(c, "events: latest step", """
        INSERT INTO letters_letterevent (letter_id, action, from_state, to_state, actor_id, at, reason,
                                         citizen_visible, data)
        SELECT id, step.action, step.from_state, state,
               CASE WHEN handling_unit_id = %(tianhe)s AND mod(id, 5) < 3
                         AND state IN ('in_handling', 'reply_drafted') THEN %(handler)s END,
               coalesce(finished_at, review_answered_at, reexam_requested_at, review_requested_at, replied_at,
                        assigned_at + interval '1 hour'),
               '', step.visible, '{}'::jsonb
        FROM letters_letter
        JOIN (VALUES ('in_handling', 'start_handling', 'assigned', true),
                     ('reply_drafted', 'draft_reply', 'in_handling', false),
                     ('replied', 'approve_reply', 'reply_drafted', true),
                     ('evaluated', 'evaluate', 'replied', true),
                     ('review_requested', 'request_review', 'replied', true),
                     ('review_answered', 'answer_review', 'review_requested', true),
                     ('reexam_requested', 'request_reexam', 'review_answered', true),
                     ('concluded', 'answer_reexam', 'reexam_requested', true),
                     ('not_accepted', 'refuse', 'received', true),
                     ('referred', 'refer', 'received', true),
                     ('emergency_redirected', 'redirect_emergency', 'received', true),
                     ('closed', 'close_window_passed', 'replied', true)
             ) AS step(state_, action, from_state, visible) ON step.state_ = letters_letter.state
        WHERE id > %(lbase)s
    """, p)  # fmt: skip
    _sql(c, "events: overdue marks", """
        INSERT INTO letters_letterevent (letter_id, action, from_state, to_state, actor_id, at, reason,
                                         citizen_visible, data)
        SELECT id, 'mark_overdue', state, state, NULL, (overdue_marked + 1)::timestamp AT TIME ZONE 'Asia/Shanghai',
               '', false, jsonb_build_object('due', overdue_marked::text)
        FROM letters_letter WHERE id > %(lbase)s AND overdue_marked IS NOT NULL
    """, p)  # fmt: skip


def _around(c: Any, p: dict[str, Any]) -> None:
    """Supervision orders, extensions and messages."""
    _sql(c, "supervision orders", """
        INSERT INTO letters_supervisionorder (letter_id, issuing_unit_id, issued_by_id, automatic, text, due,
                                              created_at, response, responded_by_id, responded_at)
        SELECT pl.id, d.id, NULL::bigint, true, '信件已超过期限，自动督办。', l.overdue_marked + 1,
               (l.overdue_marked + 1)::timestamp AT TIME ZONE 'Asia/Shanghai',
               CASE WHEN pl.uw < 0.3 THEN '已督促承办单位加快办理。' ELSE '' END,
               CASE WHEN pl.uw < 0.3 THEN %(staff)s END,
               CASE WHEN pl.uw < 0.3 THEN now() - pl.ud * interval '2 days' END
        FROM bench_plan pl
        JOIN letters_letter l ON l.id = pl.id
        JOIN orgs_unit d ON d.bureau_of_department_id = pl.superior_id AND d.police_type = 'inspection'
        WHERE l.overdue_marked IS NOT NULL
        UNION ALL
        SELECT pl.id, d.id, NULL::bigint, true, '信件已超过期限，自动督办。', l.finished_at::date,
               l.finished_at - interval '10 days', '已办结。', %(staff)s, l.finished_at
        FROM bench_plan pl
        JOIN letters_letter l ON l.id = pl.id
        JOIN orgs_unit d ON d.bureau_of_department_id = pl.superior_id AND d.police_type = 'inspection'
        WHERE l.supervision_flag AND l.finished_at IS NOT NULL
        UNION ALL
        SELECT pl.id, d.id,
               CASE WHEN d.id = (SELECT unit_id FROM accounts_user WHERE id = %(inspector_city)s)
                    THEN %(inspector_city)s ELSE %(staff)s END,
               false, '请于期限内报告办理情况。', (now() + (pl.ue * 30 - 10) * interval '1 day')::date,
               now() - pl.ud * interval '20 days', '', NULL, NULL
        FROM bench_plan pl
        JOIN orgs_unit d ON d.bureau_of_department_id = pl.superior_id AND d.police_type = 'inspection'
        WHERE pl.state IN ('assigned', 'in_handling', 'reply_drafted') AND pl.uf BETWEEN 0.5 AND 0.506
    """, p)  # fmt: skip
    _sql(c, "extensions", """
        INSERT INTO letters_extension (letter_id, days, reason, status, requested_by_id, requested_at,
                                       decided_by_id, decided_at, decision_note)
        SELECT id, 30, '案情复杂，需进一步调查取证。', 'approved', %(staff)s, accepted_at + interval '40 days',
               %(staff)s, accepted_at + interval '41 days', ''
        FROM letters_letter WHERE id > %(lbase)s AND extension_days > 0
        UNION ALL
        SELECT pl.id, 20, '需等待鉴定结论。', 'pending',
               CASE WHEN pl.handling_unit_id = %(tianhe)s THEN %(handler)s ELSE %(staff)s END,
               now() - pl.ud * interval '3 days', NULL, NULL, ''
        FROM bench_plan pl WHERE pl.state = 'in_handling' AND pl.extension_days = 0 AND pl.ue BETWEEN 0.05 AND 0.08
    """, p)  # fmt: skip
    _sql(c, "messages", """
        INSERT INTO letters_message (letter_id, kind, author_id, text, created_at, read_at)
        SELECT id, 'from_citizen', citizen_id, '请问我的信件办理到哪一步了？',
               received_at + interval '3 days', CASE WHEN finished_at IS NOT NULL OR mod(id, 3) > 0
                                                     THEN received_at + interval '4 days' END
        FROM letters_letter WHERE id > %(lbase)s AND citizen_id IS NOT NULL AND mod(id, 12) = 0
    """, p)  # fmt: skip


# ---------------------------------------------------------------- the cast and the pages


@dataclass
class Cast:
    acceptor: Any
    seat_agent: Any
    handler: Any
    leader: Any
    inspector_city: Any
    inspector_province: Any
    staff: Any


def make_cast() -> Cast:
    from django.contrib.auth.hashers import make_password

    from xinfang.accounts.models import Role, User
    from xinfang.accounts.services import staff_create
    from xinfang.orgs.choices import PoliceType
    from xinfang.orgs.models import Unit
    from xinfang.orgs.services import department_for

    def staff(username: str, unit: Unit, role: str) -> User:
        found = User.objects.filter(username=username).first()
        if found is not None:
            return found
        unusable = make_password(None)  # signed in by force_login only
        return staff_create(
            username=username, password_hash=unusable, unit=unit, roles=[role], actor=None, full_name=username
        )

    guangdong, guangzhou, tianhe = (Unit.objects.get(code=code) for code in ("440000", "440100", "440106"))
    return Cast(
        acceptor=staff("bench-acceptor", guangdong, Role.ACCEPTOR),
        seat_agent=staff("bench-seat", guangdong, Role.SEAT_AGENT),
        handler=staff("bench-handler", tianhe, Role.HANDLER),
        leader=staff("bench-leader", tianhe, Role.LEADER),
        inspector_city=staff("bench-inspector-gz", department_for(guangzhou, PoliceType.INSPECTION), Role.INSPECTOR),
        inspector_province=staff(
            "bench-inspector-gd", department_for(guangdong, PoliceType.INSPECTION), Role.INSPECTOR
        ),
        staff=staff("bench-staff", Unit.objects.get(code="MPS"), Role.HANDLER),
    )


def sign_in(user: Any) -> Any:
    """A client signed in with password and TOTP, as ``tests/console/conftest.py`` ``sign_in`` does."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@dataclass
class Result:
    name: str
    who: str
    p50: float
    p95: float
    queries: int
    runs: int
    rows: str = ""
    slowest_sql: str = ""
    slowest_ms: float = 0.0


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _time(call: Callable[[], Any], args: argparse.Namespace) -> tuple[float, float, int]:
    """p50, p95 and the number of timed runs: ``--runs`` after ``--warmup``, fewer for pages over ``--slow``."""
    started = time.perf_counter()
    call()
    runs, warmup = args.runs, args.warmup - 1
    if (time.perf_counter() - started) * 1000 > args.slow:
        runs, warmup = min(runs, args.slow_runs), 0
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return *_percentiles(samples), runs


def _count_queries(call: Callable[[], Any]) -> tuple[int, str, float, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        outcome = call()
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
    return len(captured.captured_queries), slowest["sql"], float(slowest["time"]) * 1000, outcome


@dataclass
class Targets:
    """Letters and a caller the pages are opened on."""

    work_letter: str
    work_number: str
    desk_letter: str
    caller_number: str


def find_targets(cast: Cast) -> Targets:
    """An in-handling letter of Tianhe, the first letter of the Guangdong front desk, and the number of
    the citizen with the most letters at that desk (a caller the seat agent has heard before)."""
    from django.db import connection

    from xinfang.accounts.models import CitizenIdentity
    from xinfang.letters.models import Letter

    work = Letter.objects.filter(handling_unit=cast.handler.unit, state="in_handling").order_by("current_due").first()
    desk = Letter.objects.filter(intake_unit=cast.acceptor.unit, handling_unit=None, state="received").first()
    with connection.cursor() as c:
        c.execute(
            "SELECT citizen_id FROM letters_letter WHERE intake_unit_id = %s AND citizen_id IS NOT NULL "
            "GROUP BY citizen_id ORDER BY count(*) DESC, citizen_id LIMIT 1",
            [cast.acceptor.unit_id],
        )
        row = c.fetchone()
    identity = CitizenIdentity.objects.filter(user_id=row[0]).first() if row else None
    if work is None or desk is None or identity is None:
        raise SystemExit("too few letters for the benchmark targets: use a larger --letters")
    return Targets(str(work.public_id), work.tracking_number, str(desk.public_id), identity.phone)


# The seat's screen-pop posts the number (it never travels in a URL: console/views_seat.py).
SCREEN_POP = "/console/call"


def pages(cast: Cast, targets: Targets) -> list[tuple[str, str, Any, str]]:
    """(page, who, user, url) for every page measured; the console home is the floor (no letters read).
    ``SCREEN_POP`` is posted the caller's number, as the seat's look-up does."""
    return [
        ("console home (floor)", "handler, Tianhe", cast.handler, "/console/"),
        ("front-desk queue", "acceptor, Guangdong dept.", cast.acceptor, "/console/desk/"),
        ("front-desk letter", "acceptor, Guangdong dept.", cast.acceptor, f"/console/desk/{targets.desk_letter}/"),
        ("seat screen-pop", "seat agent, Guangdong dept.", cast.seat_agent, SCREEN_POP),
        ("handler workspace", "handler, Tianhe", cast.handler, "/console/work/"),
        ("handler workspace, mine", "handler, Tianhe", cast.handler, "/console/work/?scope=mine"),
        ("handler workspace, overdue", "handler, Tianhe", cast.handler, "/console/work/?light=overdue"),
        ("handler workspace, search by number", "handler, Tianhe", cast.handler,
         f"/console/work/?q={targets.work_number}"),
        ("handler workspace, search by word", "handler, Tianhe", cast.handler, "/console/work/?q=%E6%B0%91%E8%AD%A6"),
        ("letter page", "handler, Tianhe", cast.handler, f"/console/letters/{targets.work_letter}/"),
        ("approvals", "leader, Tianhe", cast.leader, "/console/approvals/"),
        ("important letters", "leader, Tianhe", cast.leader, "/console/important/"),
        ("supervision overview", "inspector, Guangzhou", cast.inspector_city, "/console/supervision/"),
        ("supervision letters", "inspector, Guangzhou", cast.inspector_city, "/console/supervision/letters/"),
        ("supervision letters, overdue", "inspector, Guangzhou", cast.inspector_city,
         "/console/supervision/letters/?light=overdue"),
        ("supervision orders", "inspector, Guangzhou", cast.inspector_city, "/console/supervision/orders/"),
        ("supervision overview", "inspector, Guangdong", cast.inspector_province, "/console/supervision/"),
        ("supervision letters", "inspector, Guangdong", cast.inspector_province, "/console/supervision/letters/"),
        ("supervision orders", "inspector, Guangdong", cast.inspector_province, "/console/supervision/orders/"),
        ("supervision orders, answered", "inspector, Guangdong", cast.inspector_province,
         "/console/supervision/orders/?status=answered"),
        ("notifications inbox", "handler, Tianhe", cast.handler, "/inbox/"),
        ("notifications inbox", "acceptor, Guangdong dept.", cast.acceptor, "/inbox/"),
    ]  # fmt: skip


def selectors(cast: Cast, targets: Targets) -> list[tuple[str, str, Callable[[], Any]]]:
    """(selector, who, call) for the reads behind the pages: the first page of 25 and its count."""
    from xinfang.console import selectors_desk as desk
    from xinfang.console import selectors_work as work
    from xinfang.letters import access

    def page(qs: Any) -> str:
        return f"{len(list(qs[:25]))}/{qs.count():,}"

    gz, gd = cast.inspector_city, cast.inspector_province
    everything = work.SupervisionFilters()
    return [
        ("desk_queue", "acceptor, Guangdong dept.", lambda: page(desk.desk_queue(cast.acceptor))),
        ("caller_letters", "seat agent, Guangdong dept.",
         lambda: str(len(list(desk.caller_letters(cast.seat_agent, targets.caller_number)[:20])))),
        ("work_queue", "handler, Tianhe", lambda: page(work.work_queue(cast.handler, work.WorkFilters()))),
        ("work_queue mine", "handler, Tianhe",
         lambda: page(work.work_queue(cast.handler, work.WorkFilters(mine=True)))),
        ("approvals_inbox", "leader, Tianhe", lambda: page(work.approvals_inbox(cast.leader))),
        ("important_letters", "leader, Tianhe", lambda: page(work.important_letters(cast.leader))),
        ("letter_for", "handler, Tianhe", lambda: access.letter_for(cast.handler, targets.work_letter).tracking_number),
        ("late_counts_by_unit", "inspector, Guangzhou", lambda: f"{len(work.late_counts_by_unit(gz))} units"),
        ("supervision_summary", "inspector, Guangzhou", lambda: str(work.supervision_summary(gz))),
        ("supervision_letters", "inspector, Guangzhou", lambda: page(work.supervision_letters(gz, everything))),
        ("supervision_orders", "inspector, Guangzhou", lambda: page(work.supervision_orders(gz))),
        ("late_counts_by_unit", "inspector, Guangdong", lambda: f"{len(work.late_counts_by_unit(gd))} units"),
        ("supervision_summary", "inspector, Guangdong", lambda: str(work.supervision_summary(gd))),
        ("supervision_letters", "inspector, Guangdong", lambda: page(work.supervision_letters(gd, everything))),
        ("supervision_orders", "inspector, Guangdong", lambda: page(work.supervision_orders(gd))),
    ]  # fmt: skip


def measure(cast: Cast, targets: Targets, args: argparse.Namespace) -> tuple[list[Result], list[Result]]:
    from xinfang.pages.models import ThrottleCount

    # A seat may look up 30 numbers in 15 minutes: start every run (--reuse) with none used, or the
    # screen-pop would time the refusal.
    ThrottleCount.objects.filter(scope="caller-lookup").delete()
    page_results = []
    clients: dict[int, Any] = {}
    for name, who, user, url in pages(cast, targets):
        client = clients.setdefault(user.pk, sign_in(user))

        def get(client: Any = client, url: str = url, username: str = user.username) -> Any:
            if url == SCREEN_POP:
                response = client.post(url, {"action": "lookup", "number": targets.caller_number})
            else:
                response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code} for {username}")
            return response

        p50, p95, runs = _time(get, args)
        queries, sql, sql_ms, response = _count_queries(get)  # after warming up: steady state
        size = f"{len(response.content) // 1024} KiB"
        page_results.append(Result(name, who, p50, p95, queries, runs, size, sql, sql_ms))
        print(f"  {name:30} {who:28} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries:3} queries  n={runs}", flush=True)
    selector_results = []
    for name, who, call in selectors(cast, targets):
        p50, p95, runs = _time(call, args)
        queries, sql, sql_ms, rows = _count_queries(call)
        selector_results.append(Result(name, who, p50, p95, queries, runs, str(rows)[:80], sql, sql_ms))
        print(f"  {name:30} {who:28} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries:3} queries  {rows}", flush=True)
    return page_results, selector_results


def explain(results: list[Result]) -> None:
    from django.db import connection

    for result in results:
        if result.p95 <= BUDGET_MS or not result.slowest_sql:
            continue
        print(f"\n---- {result.name} ({result.who}): slowest query {result.slowest_ms:.0f} ms\n{result.slowest_sql}\n")
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS) " + result.slowest_sql)
            print("\n".join(row[0] for row in c.fetchall()))


# ---------------------------------------------------------------- inner: inside the server


def machine() -> dict[str, str]:
    from django.db import connection

    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").split()
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        version = c.fetchone()[0]
        c.execute("SHOW shared_buffers")
        buffers = c.fetchone()[0]
        c.execute("SHOW jit")
        jit = c.fetchone()[0]
    return {
        "cpu": f"{len(models)} × {models[0] if models else '?'}",
        "ram": f"{int(meminfo[meminfo.index('MemTotal:') + 1]) // 1024 // 1024} GiB",
        "postgresql": f"{version} (shared_buffers {buffers}, jit {jit}, fsync off)",
        "load": Path("/proc/loadavg").read_text(encoding="utf-8").split()[0],
    }


def data_shape() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT state, count(*) FROM letters_letter GROUP BY state ORDER BY count(*) DESC")
        states = dict(c.fetchall())
        counts = {}
        for table in ("letters_letter", "letters_letterevent", "letters_supervisionorder", "letters_extension",
                      "letters_message", "accounts_citizenidentity", "letters_anonymouscaller", "orgs_unit",
                      "orgs_mailbox"):  # fmt: skip
            c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            counts[table] = c.fetchone()[0]
        c.execute(
            """
            SELECT count(*) FILTER (WHERE overdue_marked IS NOT NULL AND finished_at IS NULL),
                   count(*) FILTER (WHERE supervision_flag), count(*) FILTER (WHERE accused_unit_id IS NOT NULL),
                   count(*) FILTER (WHERE handling_unit_id = th.id),
                   count(*) FILTER (WHERE handling_unit_id = th.id AND state IN ('assigned', 'in_handling',
                                                                                  'reply_drafted')),
                   count(*) FILTER (WHERE intake_unit_id = gd.id AND state IN ('received', 'accepted')
                                    AND handling_unit_id IS NULL),
                   count(DISTINCT mailbox_id), min(received_at)::date, max(received_at)::date,
                   pg_size_pretty(pg_database_size(current_database()))
            FROM letters_letter, (SELECT id FROM orgs_unit WHERE code = '440106') th,
                 (SELECT id FROM orgs_unit WHERE code = '440000') gd
            """
        )
        row = c.fetchone()
    keys = ["open_overdue", "supervision_flag", "with_accused_unit", "tianhe_handles", "tianhe_in_handling",
            "guangdong_front_desk", "mailboxes_used", "received_from", "received_to", "database_size"]  # fmt: skip
    return {"states": states, "counts": counts, **dict(zip(keys, [str(v) for v in row], strict=True))}


def prepare(args: argparse.Namespace) -> Cast:
    """Migrate, load the tree, mailboxes and holidays, create the cast and (unless reused) the letters."""
    from django.core.management import call_command

    from xinfang.deadlines.models import HolidayYear
    from xinfang.deadlines.services import holidays_load_from_chinese_calendar
    from xinfang.letters.models import Letter, LetterState
    from xinfang.orgs.models import Mailbox, Unit
    from xinfang.orgs.services import ensure_default_mailboxes

    if set(OPEN_STATES) != set(LetterState.open_states()):
        raise SystemExit("OPEN_STATES no longer matches LetterState.open_states(): update the script")
    print("migrate, units, mailboxes, holidays", flush=True)
    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    ensure_default_mailboxes()
    if not HolidayYear.objects.exists():
        holidays_load_from_chinese_calendar(actor=None)
    cast = make_cast()
    if args.reuse and Letter.objects.exists():
        return cast
    national = Mailbox.objects.get(is_national=True)
    ids = Ids(
        mps=Unit.objects.get(code="MPS").pk,
        national_mailbox=national.pk,
        national_intake=national.owner_id,
        tianhe=cast.handler.unit_id,
        handler=cast.handler.pk,
        acceptor=cast.acceptor.pk,
        inspector_city=cast.inspector_city.pk,
        staff=cast.staff.pk,
    )
    print(f"generating {args.letters:,} letters", flush=True)
    generate(args.letters, ids)
    return cast


def cast_notifications(cast: Cast) -> None:
    """A year of the cast's inbox, unless there is one: a new-letter notice to the acceptor for every
    letter at the Guangdong intake, an assignment notice to the handler and the leader for every letter
    handed to Tianhe, and an overdue notice for each of those marked overdue; read after a day
    except for the last week's."""
    from django.db import connection

    from xinfang.notifications.models import Notification

    if Notification.objects.filter(recipient=cast.handler).exists():
        return
    with connection.cursor() as c:
        _sql(c, "the cast's notifications", """
            INSERT INTO notifications_notification (public_id, recipient_id, recipient_key, letter_id, kind, source,
                                                    language, title, body, created_at, read_at)
            SELECT gen_random_uuid(), r.id, 'user:' || r.id, l.id, r.kind, r.kind || ':' || l.id, 'zh-hans',
                   '信件 ' || l.tracking_number, l.subject, r.at,
                   CASE WHEN r.at < now() - interval '7 days' THEN r.at + interval '1 day' END
            FROM letters_letter l
            CROSS JOIN LATERAL (VALUES
                (CASE WHEN l.intake_unit_id = %(gd)s THEN %(acceptor)s END, 'new_letter', l.received_at),
                (CASE WHEN l.handling_unit_id = %(th)s THEN %(handler)s END, 'assigned', l.assigned_at),
                (CASE WHEN l.handling_unit_id = %(th)s THEN %(leader)s END, 'assigned', l.assigned_at),
                (CASE WHEN l.handling_unit_id = %(th)s AND l.overdue_marked IS NOT NULL THEN %(handler)s END,
                 'overdue', (l.overdue_marked + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
            ) AS r(id, kind, at)
            WHERE r.id IS NOT NULL AND (l.intake_unit_id = %(gd)s OR l.handling_unit_id = %(th)s)
        """, {"gd": cast.acceptor.unit_id, "th": cast.handler.unit_id, "acceptor": cast.acceptor.pk,
              "handler": cast.handler.pk, "leader": cast.leader.pk})  # fmt: skip
        _sql(c, "VACUUM ANALYZE notifications", "VACUUM ANALYZE notifications_notification")


def inner(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ.setdefault("XINFANG_DEBUG", "0")  # as in production: templates cached, no query log
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("--inner needs DATABASE_URL pointing at PostgreSQL (run without --inner)")
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per sign-in otherwise

    started = time.perf_counter()
    cast = prepare(args)
    cast_notifications(cast)
    setup = time.perf_counter() - started
    print(f"ready in {setup:.0f} s", flush=True)
    shape = data_shape()
    print(json.dumps(shape, ensure_ascii=False, indent=1), flush=True)
    targets = find_targets(cast)
    report: dict[str, Any] = {"machine": machine(), "shape": shape, "setup_seconds": round(setup), "phases": {}}
    print(f"\nnow ({args.runs} runs after {args.warmup} warm-up; {args.slow_runs} over {args.slow} ms)")
    page_results, selector_results = measure(cast, targets, args)
    report["phases"]["now"] = {
        "pages": [asdict(r) for r in page_results],
        "selectors": [asdict(r) for r in selector_results],
        "load": machine()["load"],
    }
    if args.explain:
        explain(page_results + selector_results)
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print_tables(report)
    return 0


def print_tables(report: dict[str, Any]) -> None:
    phases = list(report["phases"])
    for kind in ("pages", "selectors"):
        header = " | ".join(f"{p} p50 / p95 ms (queries)" for p in phases)
        print(f"\n| {kind[:-1]} | who | {header} |")
        print("|---|---|" + "--:|" * len(phases))
        rows: dict[tuple[str, str], list[str]] = {(r["name"], r["who"]): [] for r in report["phases"][phases[0]][kind]}
        for phase in phases:
            for r in report["phases"][phase][kind]:
                runs = "" if r["runs"] >= 20 else f", n={r['runs']}"
                rows[(r["name"], r["who"])].append(f"{r['p50']:.0f} / {r['p95']:.0f} ({r['queries']}{runs})")
        for (name, who), cells in rows.items():
            print(f"| {name} | {who} | " + " | ".join(cells) + " |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=1_000_000, help="letters to create (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default 3)")
    parser.add_argument("--slow", type=float, default=2000, help="a page whose first request takes longer (ms) ...")
    parser.add_argument("--slow-runs", type=int, default=5, help="... is timed this many times only (default 5)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of slow pages")
    parser.add_argument("--reuse", action="store_true", help="with --inner: keep letters already in the database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # The tracking numbers' 7-digit serial (g × 7919 mod 10^7) is distinct for g up to 10^7.
    if not 1000 <= args.letters <= 10_000_000:
        parser.error("--letters must be between 1,000 and 10,000,000")
    if args.inner:
        return inner(args)
    if args.json:
        args_json = str(Path(args.json).resolve())
        argv = [a if a != args.json else args_json for a in argv]
    return outer(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
