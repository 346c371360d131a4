"""The secret key and the identity vault's keys: from the environment, or generated into ``var/``.

No key is written in the repository, so a copy of the database plus the code decrypts nothing.

- Each of ``XINFANG_SECRET_KEY``, ``XINFANG_VAULT_KEYS`` and ``XINFANG_LOOKUP_KEY`` set in the
  environment is used as it is (production).
- With ``XINFANG_PRODUCTION=1`` a missing one is an error: production keys are made and kept by
  the operator, never generated silently on a server.
- Otherwise (a city's single machine, a demo, a developer) the missing ones come from
  ``var/secrets.json``, generated with fresh random keys on the first run and kept from then on.
- The transparency log's signing key (``XINFANG_LOG_SIGNING_KEY``, an Ed25519 private key: 32
  random bytes in base64) follows the same rules, kept in its own file ``var/log-signing-key``:
  a ``secrets.json`` written before the log existed stays as it is.

The file is created whole or not at all, readable by its owner only (0600): the keys are written to
a temporary file that is then hard-linked to its final name, which fails if the name exists. Two
processes starting at once on an empty ``var/`` therefore both end up with the winner's keys.

This module is imported by the settings, so it must not use them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FILE_NAME = "secrets.json"
SECRET_KEY = "XINFANG_SECRET_KEY"  # noqa: S105 (the name of the variable, not a key)
VAULT_KEYS = "XINFANG_VAULT_KEYS"
LOOKUP_KEY = "XINFANG_LOOKUP_KEY"
NAMES = (SECRET_KEY, VAULT_KEYS, LOOKUP_KEY)  # in the environment and in var/secrets.json
LOG_KEY = "XINFANG_LOG_SIGNING_KEY"
LOG_KEY_FILE = "log-signing-key"


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    vault_keys: list[str]  # the first encrypts, all decrypt
    lookup_key: str


def fresh() -> Secrets:
    """New random keys."""
    return Secrets(
        secret_key=secrets.token_urlsafe(50),
        vault_keys=[base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")],
        lookup_key=secrets.token_urlsafe(48),
    )


def configured(environ: Mapping[str, str], *, production: bool, directory: Path) -> Secrets:
    """The keys for this process: the environment's, else (outside production) ``directory``'s file."""
    given = {name: environ.get(name, "").strip() for name in NAMES}
    missing = [name for name in NAMES if not given[name]]
    if missing and production:
        verb = "is" if len(missing) == 1 else "are"
        raise ImproperlyConfigured(
            f"{' and '.join(missing)} {verb} required when XINFANG_PRODUCTION=1 "
            "(see docs/operations.md, Keys); production keys are never generated."
        )
    if not missing:
        return _from_environment(given)
    stored = load_or_create(directory / FILE_NAME)
    return Secrets(
        secret_key=given[SECRET_KEY] or stored.secret_key,
        vault_keys=_from_environment(given).vault_keys or stored.vault_keys,
        lookup_key=given[LOOKUP_KEY] or stored.lookup_key,
    )


def _from_environment(given: Mapping[str, str]) -> Secrets:
    vault_keys = [key.strip() for key in given[VAULT_KEYS].split(",") if key.strip()]
    return Secrets(secret_key=given[SECRET_KEY], vault_keys=vault_keys, lookup_key=given[LOOKUP_KEY])


def load_or_create(path: Path) -> Secrets:
    """The keys in ``path``; on the first call, fresh ones written there (one winner among racers)."""
    if not path.exists():
        _create(path)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"{path} cannot be read as JSON ({exc}); restore it from the backup.") from exc
    return _checked(path, stored)


def _create(path: Path) -> None:
    keys = fresh()
    _write_once(
        path, json.dumps({SECRET_KEY: keys.secret_key, VAULT_KEYS: keys.vault_keys, LOOKUP_KEY: keys.lookup_key})
    )


def _write_once(path: Path, text: str) -> None:
    """Write ``text`` to a private temporary file, then link it to ``path`` unless someone did first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: its keys are the keys
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def log_signing_key(environ: Mapping[str, str], *, production: bool, directory: Path) -> str:
    """The log's signing key: the environment's, else (outside production) ``directory``'s file, made on first use."""
    given = environ.get(LOG_KEY, "").strip()
    if given:
        return given
    if production:
        raise ImproperlyConfigured(
            f"{LOG_KEY} is required when XINFANG_PRODUCTION=1 (see docs/operations.md, Keys); "
            "production keys are never generated."
        )
    path = directory / LOG_KEY_FILE
    if not path.exists():
        _write_once(path, fresh_log_key())
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{path} cannot be read ({exc}); restore it from the backup.") from exc


def fresh_log_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _checked(path: Path, stored: object) -> Secrets:
    if not (
        isinstance(stored, dict)
        and all(isinstance(stored.get(name), str) and stored[name] for name in (SECRET_KEY, LOOKUP_KEY))
        and isinstance(stored.get(VAULT_KEYS), list)
        and stored[VAULT_KEYS]
        and all(isinstance(key, str) for key in stored[VAULT_KEYS])
    ):
        raise ImproperlyConfigured(f"{path} must hold {', '.join(NAMES)}; restore it from the backup.")
    return Secrets(secret_key=stored[SECRET_KEY], vault_keys=stored[VAULT_KEYS], lookup_key=stored[LOOKUP_KEY])


def as_environment(keys: Secrets) -> str:
    """``keys`` as lines of an environment file (``python -m xinfang.local_secrets`` prints new ones)."""
    return f"{SECRET_KEY}={keys.secret_key}\n{VAULT_KEYS}={','.join(keys.vault_keys)}\n{LOOKUP_KEY}={keys.lookup_key}\n"


if __name__ == "__main__":
    print(as_environment(fresh()), end="")
    print(f"{LOG_KEY}={fresh_log_key()}")
