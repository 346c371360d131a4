"""docs/operations.md names every environment variable the settings read (issue 17 §1), with the
database connection reuse that is on by default."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
READ = re.compile(r"""(?:environ\.get|env_flag)\(\s*["']([A-Z][A-Z0-9_]+)["']|["'](XINFANG_[A-Z0-9_]+)["']""")


def variables_read(*paths: Path) -> set[str]:
    """Names passed to ``os.environ.get``/``env_flag`` and every ``"XINFANG_…"`` literal (the keys'
    names in local_secrets); ``DATABASE_URL`` is read by dj-database-url."""
    found = {name for path in paths for pair in READ.findall(path.read_text(encoding="utf-8")) for name in pair}
    return (found - {""}) | {"DATABASE_URL"}


def test_every_variable_the_settings_read_is_documented() -> None:
    read = variables_read(ROOT / "xinfang" / "settings.py", ROOT / "xinfang" / "local_secrets.py")
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)", (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")))
    assert {"XINFANG_DB_CONN_MAX_AGE", "XINFANG_PRODUCTION", "XINFANG_LOG_SIGNING_KEY", "CLAMD_ADDRESS"} <= read
    assert read - documented == set()


def test_database_connections_are_reused_and_checked_by_default() -> None:
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] >= 60 and database["CONN_HEALTH_CHECKS"] is True
