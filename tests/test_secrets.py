"""No key lives in the repository: a copy of the database plus the code decrypts no identity.

Outside production the secret key and the vault's keys are generated into ``var/secrets.json`` on
the first run (``xinfang.local_secrets``); the environment wins when set, and production without
them does not start. The settings themselves are exercised in fresh processes
(``DJANGO_SETTINGS_MODULE=xinfang.settings``, no ``XINFANG_*`` variables), as a new machine runs them.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from xinfang import local_secrets
from xinfang.accounts.models import CitizenIdentity
from xinfang.accounts.services import citizen_create
from xinfang.vault import LOOKUP_PHONE, generate_key

NAME, ID_NUMBER, PHONE, ADDRESS = "欧阳明澈", "440305198706143510", "13912345678", "深圳市南山区粤海街道科苑路十五号"
COLUMNS = ("real_name", "id_number", "phone", "address")

# Run in a fresh process with the repository's settings: prints the keys, or opens what it is given.
SHOW_KEYS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps([settings.SECRET_KEY, settings.XINFANG_VAULT_KEYS, settings.XINFANG_LOOKUP_KEY]))
"""
OPEN_VALUES = """
import json, sys, django
django.setup()
from xinfang.vault import VaultError, decrypt, lookup_hash
given = json.load(sys.stdin)
opened = {}
for context, token in given["tokens"].items():
    try:
        opened[context] = decrypt(token, context=context)
    except VaultError:
        opened[context] = None
print(json.dumps({"opened": opened, "phone_hash": lookup_hash(given["purpose"], given["phone"])}))
"""


def fresh_process(var_dir: Path, code: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_", "DATABASE_URL"))}
    clean.update(DJANGO_SETTINGS_MODULE="xinfang.settings", XINFANG_VAR_DIR=str(var_dir), **env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def keys_of_a_fresh_install(var_dir: Path) -> dict[str, Any]:
    shown = fresh_process(var_dir, SHOW_KEYS)
    assert shown.returncode == 0, shown.stderr
    secret_key, vault_keys, lookup_key = json.loads(shown.stdout)
    return {"SECRET_KEY": secret_key, "XINFANG_VAULT_KEYS": vault_keys, "XINFANG_LOOKUP_KEY": lookup_key}


def stored_identity_row(user_id: int) -> dict[str, str]:
    """The identity as a copy of the database holds it (ciphertext and look-up hash)."""
    table = CitizenIdentity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)}, phone_hash FROM {table} WHERE user_id = %s", [user_id])  # noqa: S608
        row = cursor.fetchone()
    return dict(zip((*COLUMNS, "phone_hash"), row, strict=True))


def open_in_fresh_process(var_dir: Path, row: dict[str, str]) -> dict[str, Any]:
    tokens = {f"accounts.citizen_identity.{column}": row[column] for column in COLUMNS}
    given = json.dumps({"tokens": tokens, "purpose": LOOKUP_PHONE, "phone": PHONE})
    opened = fresh_process(var_dir, OPEN_VALUES, stdin=given)
    assert opened.returncode == 0, opened.stderr
    result: dict[str, Any] = json.loads(opened.stdout)
    return result


@pytest.mark.django_db
def test_a_copy_of_the_database_plus_the_repository_decrypts_no_identity(tmp_path: Path) -> None:
    var_dir, elsewhere = tmp_path / "var", tmp_path / "another-machine-var"
    with override_settings(**keys_of_a_fresh_install(var_dir)):
        user = citizen_create(
            real_name=NAME, id_number=ID_NUMBER, phone=PHONE, password=None,
            phone_verified_at=timezone.now(), address=ADDRESS,
        )  # fmt: skip
        row = stored_identity_row(user.pk)
    assert PHONE not in json.dumps(row, ensure_ascii=False) and NAME not in json.dumps(row, ensure_ascii=False)

    with_the_code_only = open_in_fresh_process(elsewhere, row)
    assert with_the_code_only["opened"] == dict.fromkeys(with_the_code_only["opened"])  # every value refused
    assert with_the_code_only["phone_hash"] != row["phone_hash"]  # nor can a guessed number be confirmed

    with_the_keys = open_in_fresh_process(var_dir, row)
    assert list(with_the_keys["opened"].values()) == [NAME, ID_NUMBER, PHONE, ADDRESS]
    assert with_the_keys["phone_hash"] == row["phone_hash"]


def test_a_first_run_writes_the_keys_into_var_readable_by_the_owner_only_and_keeps_them(tmp_path: Path) -> None:
    first = keys_of_a_fresh_install(tmp_path)

    secrets_file = tmp_path / local_secrets.FILE_NAME
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert json.loads(secrets_file.read_text())["XINFANG_VAULT_KEYS"] == first["XINFANG_VAULT_KEYS"]
    assert len(first["SECRET_KEY"]) >= 50 and len(first["XINFANG_LOOKUP_KEY"]) >= 32
    assert keys_of_a_fresh_install(tmp_path) == first
    assert keys_of_a_fresh_install(tmp_path / "elsewhere")["SECRET_KEY"] != first["SECRET_KEY"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        local_secrets.LOG_KEY_FILE,
        local_secrets.FILE_NAME,
    ]


def test_two_first_runs_at_once_end_with_one_set_of_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    racers = 8
    all_generating = threading.Barrier(racers, timeout=30)
    generate = local_secrets.fresh

    def fresh_once_all_have_looked() -> local_secrets.Secrets:
        all_generating.wait()  # every racer has found no file and made its own keys before any writes
        return generate()

    monkeypatch.setattr(local_secrets, "fresh", fresh_once_all_have_looked)
    path = tmp_path / local_secrets.FILE_NAME
    with ThreadPoolExecutor(racers) as pool:
        results = list(pool.map(lambda _: local_secrets.load_or_create(path), range(racers)))

    assert all(result == results[0] for result in results)
    assert local_secrets.load_or_create(path) == results[0]
    assert [p.name for p in tmp_path.iterdir()] == [local_secrets.FILE_NAME]  # no temporary file left


def test_processes_starting_together_agree_on_the_keys(tmp_path: Path) -> None:
    code = "import sys; from pathlib import Path; from xinfang.local_secrets import load_or_create; "
    code += "print(load_or_create(Path(sys.argv[1])).vault_keys[0])"
    path = tmp_path / local_secrets.FILE_NAME
    command = [sys.executable, "-c", code, str(path)]
    started = [subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    printed = {process.communicate(timeout=60)[0].strip() for process in started}

    assert printed == {json.loads(path.read_text())["XINFANG_VAULT_KEYS"][0]}


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    environ = {"XINFANG_VAULT_KEYS": f" {generate_key()}, {generate_key()} ", "XINFANG_LOOKUP_KEY": "l" * 40}

    keys = local_secrets.configured(environ, production=False, directory=tmp_path)

    assert keys.vault_keys == [key.strip() for key in environ["XINFANG_VAULT_KEYS"].split(",")]
    assert keys.lookup_key == "l" * 40
    assert keys.secret_key == local_secrets.load_or_create(tmp_path / local_secrets.FILE_NAME).secret_key
    everything = {**environ, "XINFANG_SECRET_KEY": "s" * 60}
    other = tmp_path / "untouched"
    assert local_secrets.configured(everything, production=False, directory=other).secret_key == "s" * 60
    assert not other.exists()


@pytest.mark.parametrize("unset", ["XINFANG_SECRET_KEY", "XINFANG_VAULT_KEYS", "XINFANG_LOOKUP_KEY"])
def test_production_without_a_key_is_an_error_and_generates_nothing(tmp_path: Path, unset: str) -> None:
    environ = {"XINFANG_SECRET_KEY": "s" * 60, "XINFANG_VAULT_KEYS": generate_key(), "XINFANG_LOOKUP_KEY": "l" * 40}
    environ[unset] = " "

    with pytest.raises(ImproperlyConfigured, match=f"{unset} is required when XINFANG_PRODUCTION=1"):
        local_secrets.configured(environ, production=True, directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_production_process_without_its_secret_key_does_not_start(tmp_path: Path) -> None:
    refused = fresh_process(
        tmp_path, SHOW_KEYS, XINFANG_PRODUCTION="1", XINFANG_VAULT_KEYS=generate_key(), XINFANG_LOOKUP_KEY="l" * 40
    )

    assert refused.returncode != 0
    assert "XINFANG_SECRET_KEY is required when XINFANG_PRODUCTION=1" in refused.stderr
    assert not (tmp_path / local_secrets.FILE_NAME).exists()


def test_a_damaged_secrets_file_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / local_secrets.FILE_NAME
    for damaged in ("{not json", json.dumps({"XINFANG_SECRET_KEY": "s" * 60})):
        path.write_text(damaged)
        with pytest.raises(ImproperlyConfigured, match="restore it from the backup"):
            local_secrets.load_or_create(path)
        assert path.read_text() == damaged


def test_the_printed_environment_lines_start_a_production_process(tmp_path: Path) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "xinfang.local_secrets"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    environ = dict(line.split("=", 1) for line in printed.splitlines())

    keys = local_secrets.configured(environ, production=True, directory=tmp_path)

    assert sorted(environ) == sorted((*local_secrets.NAMES, local_secrets.LOG_KEY)) and len(keys.vault_keys) == 1
    assert local_secrets.log_signing_key(environ, production=True, directory=tmp_path) == environ[local_secrets.LOG_KEY]
    with pytest.raises(ImproperlyConfigured, match="XINFANG_LOG_SIGNING_KEY is required"):
        local_secrets.log_signing_key({}, production=True, directory=tmp_path)
    assert not list(tmp_path.iterdir())
