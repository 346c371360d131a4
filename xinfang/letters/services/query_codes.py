"""Query codes: the secret a writer gets once, stored only as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from xinfang.letters.models import (
    Letter,
)

QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
QUERY_CODE_LENGTH = 16  # 16 symbols of 31: about 79 bits


def new_query_code() -> str:
    raw = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, QUERY_CODE_LENGTH, 4))


def hash_query_code(code: str, *, salt: str | None = None) -> str:
    """A salted SHA-256: the code has ~79 bits of entropy, so a slow hash adds nothing."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{normalise_query_code(code)}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def normalise_query_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def query_code_matches(letter: Letter, code: str) -> bool:
    _algo, salt, _digest = letter.query_code_hash.split("$")
    return hmac.compare_digest(letter.query_code_hash, hash_query_code(code, salt=salt))
