"""The identity vault: personal data encrypted at rest, and keyed hashes to find it (SPEC §6).

What is encrypted: a citizen's real name, resident ID number, mobile number and address
(``accounts.CitizenIdentity``) and an anonymous caller's number (``letters.AnonymousCaller``),
with AES-256-GCM (authenticated: a changed byte is refused, not decrypted to garbage). They are
stored in ``EncryptedTextField`` columns and found through ``BlindIndexField`` columns, an
HMAC-SHA256 of the normalised value under a separate key (``xinfang.vault.fields``).

Keys are infrastructure, so they come from the environment (settings ``# Identity vault``), or
outside production from ``var/secrets.json``, generated on the first run (``xinfang.local_secrets``):

- ``XINFANG_VAULT_KEYS``: comma-separated keys, each 32 random bytes in URL-safe base64
  (``generate_key()``). The first encrypts; every one decrypts. To rotate: put a new key first,
  keep the old ones after it, restart, run ``manage.py vault_rotate``; once it has run, the old
  keys can be removed.
- ``XINFANG_LOOKUP_KEY``: the HMAC key of the blind indexes, at least 32 characters. Changing it
  makes look-ups miss until ``manage.py vault_rotate`` has recomputed every index.

No key is written in the code: ``key_ring()`` (called at start-up by ``AccountsConfig.ready``)
refuses to run without both keys or with a malformed one.

A stored value is ``xv1:`` + URL-safe base64 of key id (4 bytes) ‖ nonce (12) ‖ ciphertext ‖ tag.
The column's ``context`` (``"accounts.citizen_identity.phone"``) is the associated data, so a value
copied into another column does not decrypt either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

PREFIX = "xv1:"
KEY_BYTES = 32
KEY_ID_BYTES = 4
NONCE_BYTES = 12
TAG_BYTES = 16
MIN_LOOKUP_KEY_CHARS = 32

# Blind-index purposes: one per kind of identifier, shared by every column holding that kind (a
# citizen's phone and an anonymous caller's phone hash alike, so one number finds both).
LOOKUP_PHONE = "phone"
LOOKUP_ID_NUMBER = "id_number"

_KEY_SETTINGS = frozenset({"XINFANG_VAULT_KEYS", "XINFANG_LOOKUP_KEY"})


class VaultError(Exception):
    """A stored value cannot be opened: changed since it was written, not vault ciphertext, or
    encrypted under a key that is no longer in ``XINFANG_VAULT_KEYS``."""


@dataclass(frozen=True)
class VaultKey:
    id: bytes
    aead: AESGCM


@dataclass(frozen=True)
class KeyRing:
    """The encryption keys, current first, and the blind-index key."""

    keys: tuple[VaultKey, ...]
    lookup_key: bytes

    @property
    def current(self) -> VaultKey:
        return self.keys[0]

    def find(self, key_id: bytes) -> VaultKey | None:
        return next((key for key in self.keys if hmac.compare_digest(key.id, key_id)), None)


def generate_key() -> str:
    """A new random key for ``XINFANG_VAULT_KEYS``."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


@cache
def key_ring() -> KeyRing:
    """The key ring from settings, checked once per process (ImproperlyConfigured if unusable)."""
    configured: list[str] = list(getattr(settings, "XINFANG_VAULT_KEYS", []))
    lookup: str = getattr(settings, "XINFANG_LOOKUP_KEY", "")
    if not (configured and lookup):
        raise ImproperlyConfigured(
            "XINFANG_VAULT_KEYS and XINFANG_LOOKUP_KEY are required (see xinfang/local_secrets.py)."
        )
    raw_keys = [_decode_key(n, text) for n, text in enumerate(configured, 1)]
    lookup_key = lookup.encode()
    if len(lookup_key) < MIN_LOOKUP_KEY_CHARS:
        raise ImproperlyConfigured(f"XINFANG_LOOKUP_KEY must be at least {MIN_LOOKUP_KEY_CHARS} characters.")
    keys = tuple(VaultKey(id=_key_id(raw), aead=AESGCM(raw)) for raw in raw_keys)
    if len({key.id for key in keys}) != len(keys):
        raise ImproperlyConfigured("XINFANG_VAULT_KEYS lists the same key twice.")
    return KeyRing(keys=keys, lookup_key=lookup_key)


def _decode_key(position: int, text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"XINFANG_VAULT_KEYS: key {position} is not {KEY_BYTES} bytes in URL-safe base64 "
            "(make one with: python -c 'from xinfang.vault import generate_key; print(generate_key())')."
        )
    return raw


def _key_id(raw: bytes) -> bytes:
    # Names the key inside each value without revealing it: an HMAC under the key itself.
    return hmac.new(raw, b"xinfang.vault.key-id", hashlib.sha256).digest()[:KEY_ID_BYTES]


def _forget_key_ring(*, setting: str, **kwargs: Any) -> None:
    if setting in _KEY_SETTINGS:
        key_ring.cache_clear()


setting_changed.connect(_forget_key_ring, dispatch_uid="xinfang.vault.forget_key_ring")


def encrypt(value: str, *, context: str) -> str:
    """``value`` sealed under the current key, bound to ``context`` (the column it is stored in)."""
    key = key_ring().current
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, value.encode(), context.encode())
    return PREFIX + base64.urlsafe_b64encode(key.id + nonce + sealed).decode("ascii")


def decrypt(token: str, *, context: str) -> str:
    """The clear value of ``token``; VaultError if it was changed, moved or its key is gone."""
    key, nonce, sealed = _unpack(token)
    try:
        return key.aead.decrypt(nonce, sealed, context.encode()).decode()
    except InvalidTag as exc:
        raise VaultError(f"a {context} value fails authentication: it was changed or moved") from exc


def is_current(token: str) -> bool:
    """True if ``token`` is under the key that encrypts now (rotation has nothing to do)."""
    return hmac.compare_digest(_raw(token)[:KEY_ID_BYTES], key_ring().current.id)


def _raw(token: str) -> bytes:
    if not token.startswith(PREFIX):
        raise VaultError("not a vault value (clear text where ciphertext belongs?)")
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise VaultError("a vault value is not valid base64") from exc
    if len(raw) < KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES:
        raise VaultError("a vault value is truncated")
    return raw


def _unpack(token: str) -> tuple[VaultKey, bytes, bytes]:
    raw = _raw(token)
    key = key_ring().find(raw[:KEY_ID_BYTES])
    if key is None:
        raise VaultError("a vault value is under a key that is not in XINFANG_VAULT_KEYS")
    return key, raw[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES], raw[KEY_ID_BYTES + NONCE_BYTES :]


def normalise_identifier(value: str) -> str:
    """What a blind index hashes: NFKC, no spaces anywhere, upper case (``４４０１０６ 1990…x``
    finds ``440106…X``). Callers pass the accounts' one spelling (``accounts.id_numbers``); this
    is the floor under it, so that no caller's forgotten step splits one number into two hashes."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def lookup_hash(purpose: str, value: str) -> str:
    """The blind index of an identifier: HMAC-SHA256 under the look-up key; "" for no value.

    ``purpose`` (``LOOKUP_PHONE``, ``LOOKUP_ID_NUMBER``) keeps a phone from matching an equal ID number.
    """
    normalised = normalise_identifier(value)
    if not normalised:
        return ""
    message = f"{purpose}\x00{normalised}".encode()
    return hmac.new(key_ring().lookup_key, message, hashlib.sha256).hexdigest()
