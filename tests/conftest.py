"""The shared cast (STYLE.md habit 9) on the real unit tree.

The tree (1 + 32 + 333 + 2,845 bureaus, 80 town sub-bureaus and the eager departments) is loaded once per test
database; transactional tests, which flush the database, get it back through ``tree``.

Cast, all in Guangdong unless said otherwise:
- citizen: a verified citizen account
- seat_agent: a 12389 telephone seat at the Guangdong department
- acceptor: front desk of the Guangdong department (owner of the ``gd`` mailbox)
- handler, leader: Tianhe District branch of the Guangzhou bureau
- inspector: the inspection department of the Guangzhou bureau (supervises all of Guangzhou)
- outsider: a handler, acceptor, leader and inspector at the Shenzhen bureau
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone, translation

from xinfang.accounts.models import Role, User
from xinfang.accounts.services import citizen_create, staff_create
from xinfang.deadlines.calendar import forget_cached_years
from xinfang.deadlines.models import HolidayYear
from xinfang.deadlines.services import holidays_load_from_chinese_calendar
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for, ensure_default_mailboxes, load_units
from xinfang.table_cache import forget_all_table_caches
from xinfang.vocabulary import Channel

PASSWORD = "correct-horse-battery-staple"
DATABASE_FIXTURES = {
    "db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server",
}  # fmt: skip


# What the SQLite pass of ``make test`` runs besides the tests without a database (docs/decisions/
# 0005-one-full-suite-on-postgresql.md): the code with a SQLite branch of its own, the worker and the
# outbox as ``make run`` starts them, migrations, and the demo data. The whole suite runs on
# PostgreSQL; the browser tests run the whole product on SQLite, as ``make run`` serves it.
SQLITE_PATHS = (
    "tests/audit/",
    "tests/analysis/test_repeats.py",
    "tests/worker/",
    "tests/notifications/",
    "tests/test_migrations.py",
    "tests/portal/test_seed_demo.py",
    "tests/test_deploy_check.py",
    "tests/test_secrets.py",
    "tests/test_security_headers.py",
    "tests/test_error_pages.py",
    "tests/test_lookups.py",
)
ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that never touch a database ``no_db``: ``make test`` runs them once (with
    SQLite), not again against PostgreSQL, where they would test nothing new. Mark ``sqlite`` the
    database tests the SQLite pass runs too (``SQLITE_PATHS``)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") is None and not fixtures & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.no_db)
        elif item.get_closest_marker("postgres_only") or "needs_postgres" in fixtures:
            continue  # the SQLite pass would only skip it
        elif item.path.resolve().relative_to(ROOT).as_posix().startswith(SQLITE_PATHS):
            item.add_marker(pytest.mark.sqlite)


class SlowTestsLeadEachWorker:
    """Put each slow test at the head of one worker's share, so that one run does all the tests.

    With ``--dist worksteal``, pytest-xdist first gives each of its N workers one contiguous share of
    the tests (the first ``len // N``, then ``len // (N - 1)`` of what is left, …) and later lets an
    idle worker take half of another's queue. The slow tests (the simulated year's halves, the
    state machine) go to the heads of the shares in turn, so every worker starts on one and the
    short tests fill the rest; a slow test left at the end of a share would run alone at the end.
    Runs after ``-m`` has deselected (``trylast``); every worker computes the same order.
    """

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
        slow = [item for item in items if item.get_closest_marker("slow")]
        if workers < 2 or not slow or len(slow) == len(items):
            return
        rest = [item for item in items if not item.get_closest_marker("slow")]
        sizes, left = [], len(items)
        for worker in range(workers):
            sizes.append(left // (workers - worker))
            left -= sizes[-1]
        shares: list[list[pytest.Item]] = [slow[worker::workers] for worker in range(workers)]
        for share, size in zip(shares, sizes, strict=True):
            take = max(0, size - len(share))
            share.extend(rest[:take])
            del rest[:take]
        shares[-1].extend(rest)
        items[:] = [item for share in shares for item in share]


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SlowTestsLeadEachWorker(), "slow-tests-lead-each-worker")


def load_the_tree() -> None:
    """The unit tree, the mailboxes and the official calendar, as the migrations leave them.

    The first load in a process is the real one (``load_units`` …), and the rows it leaves are
    kept; after a transactional test's flush they are copied back as they were (a few hundred
    milliseconds instead of seconds: the browser tests flush after every test)."""
    if not _TREE_ROWS.restore():
        load_units()
        ensure_default_mailboxes()
        if not HolidayYear.objects.exists():  # a transactional test flushed the migration's data
            holidays_load_from_chinese_calendar(actor=None)
        _TREE_ROWS.keep()
    forget_cached_years()


@contextmanager
def rows_for_the_module(django_db_blocker: Any) -> Iterator[None]:
    """Rows that a module's tests share, built once inside a transaction rolled back after the module.

    For a module-scoped fixture (``with rows_for_the_module(django_db_blocker): … yield …``): each
    test still runs in its own savepoint (pytest-django's ``db``), so what one test writes is undone
    before the next. The tree is loaded when a transactional test before the module flushed it."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Unit.objects.exists():
            load_the_tree()
        yield
        transaction.set_rollback(True)


class TableRows:
    """The rows of every non-empty table, kept once per process and copied back into the tables a
    flush emptied (those the flush's post-migrate signal refills, such as content types, are left
    alone). PostgreSQL copies with ``COPY``; SQLite row by row. Sequences are reset after."""

    KEEP_OUT = frozenset({"django_migrations", "django_session"})

    def __init__(self) -> None:
        self.tables: dict[str, Any] = {}

    def keep(self) -> None:
        if self.tables:
            return
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
                if table in self.KEEP_OUT or not self._has_rows(cursor, table):
                    continue
                self.tables[table] = self._read(cursor, table)

    def restore(self) -> bool:
        """Copy the kept rows back if the unit table is empty (after a flush); False if nothing was kept."""
        if not self.tables or Unit.objects.exists():
            return False
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cursor:
            refilled = [table for table in self.tables if not self._has_rows(cursor, table)]
            for table in refilled:
                self._write(cursor, table, self.tables[table])
            models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in refilled]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        return True

    @staticmethod
    def _has_rows(cursor: Any, table: str) -> bool:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 (a table name)
        return cursor.fetchone() is not None

    @staticmethod
    def _read(cursor: Any, table: str) -> Any:
        name = connection.ops.quote_name(table)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} TO STDOUT (FORMAT binary)") as copy:
                return b"".join(bytes(block) for block in copy)
        cursor.execute(f"SELECT * FROM {name}")  # noqa: S608 (a table name)
        return [column[0] for column in cursor.description], cursor.fetchall()

    @staticmethod
    def _write(cursor: Any, table: str, rows: Any) -> None:
        name = connection.ops.quote_name(table)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} FROM STDIN (FORMAT binary)") as copy:
                copy.write(rows)
            return
        columns, values = rows
        listed = ", ".join(connection.ops.quote_name(column) for column in columns)
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {name} ({listed}) VALUES ({marks})", values)  # noqa: S608 (table names)


_TREE_ROWS = TableRows()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in English must not leave English active for the next test in the process."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _own_tree_head_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test its own sink for the log's signed heads: one test's heads never meet another's log."""
    before = settings.XINFANG_LOG_SINK_DIR
    settings.XINFANG_LOG_SINK_DIR = tmp_path_factory.mktemp("tree-heads")
    yield
    settings.XINFANG_LOG_SINK_DIR = before


@pytest.fixture(autouse=True)
def _fresh_policy_caches() -> None:
    """Per-process caches must not carry rows from a previous test's rolled-back transaction."""
    forget_cached_years()
    forget_all_table_caches()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_the_tree()
    yield


@pytest.fixture
def needs_postgres() -> None:
    """Skip before any database fixture runs, so SQLite's test database is not flushed for nothing.

    For the tests of what only PostgreSQL can show: concurrent writers, row locks, triggers, grants."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent writers, row locks, triggers, grants)")


@pytest.fixture
def restores_what_the_flush_removes(django_db_blocker: Any) -> Iterator[None]:
    """Set up before ``transactional_db`` and so torn down after its flush: put the unit tree, the
    mailboxes and the official calendar back, which later tests in this process expect."""
    yield
    with django_db_blocker.unblock():
        load_the_tree()


@pytest.fixture
def tree(db: None) -> None:
    if not Unit.objects.exists() or not HolidayYear.objects.exists():
        load_the_tree()


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


@pytest.fixture
def guangdong(tree: None) -> Unit:
    return unit("440000")


@pytest.fixture
def guangzhou(tree: None) -> Unit:
    return unit("440100")


@pytest.fixture
def tianhe(tree: None) -> Unit:
    return unit("440106")


@pytest.fixture
def shenzhen(tree: None) -> Unit:
    return unit("440300")


@pytest.fixture
def gd_mailbox(tree: None) -> Mailbox:
    return Mailbox.objects.get(slug="gd")


def plan_on_a_big_table(queryset: Any) -> str:
    """PostgreSQL's plan for ``queryset`` with sequential scans, bitmap scans and sorts priced out, as
    they are on a table of millions: a plan still without "Sort" reads its rows in order from an index."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def make_staff(username: str, at: Unit, *roles: str) -> User:
    return staff_create(username=username, password=PASSWORD, unit=at, roles=roles, actor=None, full_name=username)


@pytest.fixture
def seat_agent(guangdong: Unit) -> User:
    return make_staff("seat", guangdong, Role.SEAT_AGENT)


@pytest.fixture
def acceptor(guangdong: Unit) -> User:
    return make_staff("acceptor", guangdong, Role.ACCEPTOR)


@pytest.fixture
def handler(tianhe: Unit) -> User:
    return make_staff("handler", tianhe, Role.HANDLER)


@pytest.fixture
def leader(tianhe: Unit) -> User:
    return make_staff("leader", tianhe, Role.LEADER)


@pytest.fixture
def inspector(guangzhou: Unit) -> User:
    return make_staff("inspector", department_for(guangzhou, PoliceType.INSPECTION), Role.INSPECTOR)


@pytest.fixture
def outsider(shenzhen: Unit) -> User:
    return make_staff("outsider", shenzhen, Role.HANDLER, Role.ACCEPTOR, Role.LEADER, Role.INSPECTOR)


@pytest.fixture
def citizen(db: None) -> User:
    return citizen_create(
        real_name="张三",
        id_number="11010519491231002X",
        phone="13800138000",
        password=PASSWORD,
        phone_verified_at=timezone.now(),
        address="广州市天河区体育西路1号",
    )


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    """pytest-django's admin client, signed in with both factors (the admin demands them)."""
    from tests.console.conftest import sign_in

    return sign_in(client, admin_user)


@pytest.fixture
def phone_mailbox(gd_mailbox: Mailbox) -> Mailbox:
    """The Guangdong mailbox with its telephone channel open and anonymous calls allowed, as an
    administrator would set it up for a provincial 12389 seat."""
    gd_mailbox.channels = [*gd_mailbox.channels, Channel.TELEPHONE]
    gd_mailbox.allows_anonymous_phone = True
    gd_mailbox.save(update_fields=["channels", "allows_anonymous_phone"])
    return gd_mailbox
