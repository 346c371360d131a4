"""The identity vault: authenticated encryption under a key ring, and keyed look-up hashes."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.test import override_settings

from xinfang.accounts.models import CitizenIdentity
from xinfang.vault import (
    LOOKUP_ID_NUMBER,
    LOOKUP_PHONE,
    VaultError,
    decrypt,
    encrypt,
    generate_key,
    is_current,
    key_ring,
    lookup_hash,
)

CONTEXT = "tests.person.phone"
OLD, NEW = generate_key(), generate_key()
LOOKUP = "a-look-up-key-for-tests-" + "x" * 16


def flip_one_byte(token: str, at: int) -> str:
    prefix, body = token.split(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[at] ^= 0x01
    return f"{prefix}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"


def test_a_value_comes_back_as_it_went_in() -> None:
    for value in ("13800138000", "欧阳娜娜", "阿依古丽·买买提", "", "广州市天河区体育西路1号 3栋 501"):
        assert decrypt(encrypt(value, context=CONTEXT), context=CONTEXT) == value


def test_the_same_value_encrypts_differently_each_time_and_never_shows_in_clear() -> None:
    first, second = encrypt("13800138000", context=CONTEXT), encrypt("13800138000", context=CONTEXT)
    assert first != second
    assert "13800138000" not in first and "13800138000" not in base64.urlsafe_b64decode(first[4:]).decode("latin-1")


def test_a_changed_byte_anywhere_is_refused() -> None:
    token = encrypt("张三", context=CONTEXT)
    length = len(base64.urlsafe_b64decode(token[4:]))
    for at in (4, 10, 20, length - 1):  # nonce, nonce, ciphertext, tag
        with pytest.raises(VaultError):
            decrypt(flip_one_byte(token, at), context=CONTEXT)


def test_a_value_moved_to_another_column_is_refused() -> None:
    token = encrypt("13800138000", context="accounts.citizen_identity.phone")
    with pytest.raises(VaultError):
        decrypt(token, context="accounts.citizen_identity.real_name")


def test_clear_text_and_truncated_values_are_refused() -> None:
    for bad in ("13800138000", "xv1:", "xv1:AAAA", "xv1:not base64!"):
        with pytest.raises(VaultError):
            decrypt(bad, context=CONTEXT)


def test_an_old_key_still_decrypts_after_a_new_one_is_put_first() -> None:
    with override_settings(XINFANG_VAULT_KEYS=[OLD]):
        token = encrypt("13800138000", context=CONTEXT)
        assert is_current(token)
    with override_settings(XINFANG_VAULT_KEYS=[NEW, OLD]):
        assert decrypt(token, context=CONTEXT) == "13800138000"
        assert not is_current(token)
        assert is_current(encrypt("13800138000", context=CONTEXT))
    with override_settings(XINFANG_VAULT_KEYS=[NEW]), pytest.raises(VaultError, match="not in XINFANG_VAULT_KEYS"):
        decrypt(token, context=CONTEXT)


@pytest.mark.parametrize(
    ("keys", "lookup", "message"),
    [
        (["not-a-key"], LOOKUP, "key 1 is not 32 bytes"),
        ([base64.urlsafe_b64encode(os.urandom(16)).decode()], LOOKUP, "key 1 is not 32 bytes"),
        ([OLD, OLD], LOOKUP, "the same key twice"),
        ([OLD], "too-short", "at least 32 characters"),
    ],
)
def test_malformed_keys_are_refused(keys: list[str], lookup: str, message: str) -> None:
    with (
        override_settings(XINFANG_VAULT_KEYS=keys, XINFANG_LOOKUP_KEY=lookup),
        pytest.raises(ImproperlyConfigured, match=message),
    ):
        key_ring()


def test_the_vault_has_no_key_of_its_own_in_production_or_out() -> None:
    for production in (True, False):
        for keys, lookup in (([], LOOKUP), ([OLD], ""), ([], "")):
            missing = override_settings(PRODUCTION=production, XINFANG_VAULT_KEYS=keys, XINFANG_LOOKUP_KEY=lookup)
            with missing, pytest.raises(ImproperlyConfigured, match="XINFANG_LOOKUP_KEY are required"):
                key_ring()
    with override_settings(PRODUCTION=True, XINFANG_VAULT_KEYS=[OLD], XINFANG_LOOKUP_KEY=LOOKUP):
        assert len(key_ring().keys) == 1


def test_a_production_process_does_not_start_without_the_vault_keys(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="xinfang.settings",
        XINFANG_PRODUCTION="1",
        XINFANG_SECRET_KEY="s" * 64,
        XINFANG_LOG_SIGNING_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        XINFANG_ALLOWED_HOSTS="xinfang.example.gov.cn",
        XINFANG_VAR_DIR=str(tmp_path),
    )
    command = [sys.executable, "manage.py", "check"]
    run = {"cwd": settings.BASE_DIR, "capture_output": True, "text": True, "timeout": 120, "check": False}
    refused = subprocess.run(command, env=env, **run)  # type: ignore[call-overload]
    assert refused.returncode != 0
    assert "XINFANG_VAULT_KEYS and XINFANG_LOOKUP_KEY are required" in refused.stderr
    started = subprocess.run(
        command, env={**env, "XINFANG_VAULT_KEYS": f"{NEW},{OLD}", "XINFANG_LOOKUP_KEY": LOOKUP}, **run
    )  # type: ignore[call-overload]
    assert started.returncode == 0, started.stderr


def test_look_up_hashes_match_the_same_identifier_however_it_is_typed() -> None:
    assert lookup_hash(LOOKUP_ID_NUMBER, "11010519491231002x") == lookup_hash(LOOKUP_ID_NUMBER, " 110105 19491231002X")
    assert lookup_hash(LOOKUP_PHONE, "138 0013 8000") == lookup_hash(LOOKUP_PHONE, "13800138000")
    assert lookup_hash(LOOKUP_PHONE, "13800138000") != lookup_hash(LOOKUP_PHONE, "13800138001")
    assert lookup_hash(LOOKUP_PHONE, "") == "" == lookup_hash(LOOKUP_PHONE, "   ")


def test_look_up_hashes_are_keyed_and_separate_phones_from_id_numbers() -> None:
    same_digits = "13800138000"
    assert lookup_hash(LOOKUP_PHONE, same_digits) != lookup_hash(LOOKUP_ID_NUMBER, same_digits)
    with override_settings(XINFANG_LOOKUP_KEY=LOOKUP):
        under_one = lookup_hash(LOOKUP_PHONE, same_digits)
    with override_settings(XINFANG_LOOKUP_KEY=LOOKUP + "-rotated"):
        assert lookup_hash(LOOKUP_PHONE, same_digits) != under_one


def test_an_encrypted_column_cannot_be_searched_by_its_value() -> None:
    with pytest.raises(FieldError, match="Unsupported lookup"):
        CitizenIdentity.objects.filter(phone="13800138000")
    with pytest.raises(FieldError, match="Unsupported lookup"):
        CitizenIdentity.objects.filter(real_name__startswith="张")
    assert CitizenIdentity.objects.filter(address__isnull=True).query is not None
