"""Key rotation: bring every stored vault value and blind index up to the current keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.functions import Cast

from xinfang.vault import VaultError, decrypt, is_current, lookup_hash
from xinfang.vault.fields import BlindIndexField, EncryptedTextField

DEFAULT_BATCH_SIZE = 500


@dataclass
class RotationCount:
    """What ``rotate_model`` did to one model's table."""

    model: str
    rows: int = 0
    reencrypted: int = 0
    reindexed: int = 0


def vault_models() -> list[type[models.Model]]:
    """Every installed model with an encrypted column."""
    return [model for model in apps.get_models() if _encrypted_fields(model)]


def rotate_all(*, batch_size: int = DEFAULT_BATCH_SIZE) -> list[RotationCount]:
    return [rotate_model(model, batch_size=batch_size) for model in vault_models()]


def rotate_model(model: type[models.Model], *, batch_size: int = DEFAULT_BATCH_SIZE) -> RotationCount:
    """Re-encrypt ``model``'s vault values under the current key and recompute its blind indexes.

    1. Rows are taken in primary-key order, ``batch_size`` at a time, each batch in its own
       transaction with its rows locked (SELECT … FOR UPDATE where the database has it), so an
       edit made meanwhile is neither lost nor overwritten with the old value.
    2. The stored ciphertext is read as it is (not decrypted by the field). A value under an old
       key is decrypted with the ring and written back in clear through the field, which
       encrypts it under the current key; a blind index that differs from the HMAC of the clear
       value under the current look-up key is rewritten.
    3. Rows already current are not written: a second run changes nothing and reports zeros.
    A value that no key in the ring opens stops the run with VaultError naming the row; batches
    before it are kept (they are correct), its own batch is rolled back.
    """
    count = RotationCount(model=model._meta.label)
    last_pk: Any = None
    while True:
        with transaction.atomic():
            rows = _batch(model, last_pk, batch_size)
            for row in rows:
                _rotate_row(model, row, count)
        if len(rows) < batch_size:
            return count
        last_pk = rows[-1]["pk"]


def _encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]


def _index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, BlindIndexField)]


def _raw_name(field: models.Field[Any, Any]) -> str:
    return f"vault_raw_{field.attname}"


def _batch(model: type[models.Model], last_pk: Any, size: int) -> list[dict[str, Any]]:
    # Cast to a plain text field: the value comes back as stored, without the field's decryption.
    raw = {_raw_name(f): Cast(f.attname, output_field=models.TextField()) for f in _encrypted_fields(model)}
    rows = model._base_manager.order_by("pk").annotate(**raw)
    if last_pk is not None:
        rows = rows.filter(pk__gt=last_pk)
    if connection.features.has_select_for_update:
        rows = rows.select_for_update()
    return list(rows.values("pk", *raw, *(f.attname for f in _index_fields(model)))[:size])


def _rotate_row(model: type[models.Model], row: dict[str, Any], count: RotationCount) -> None:
    count.rows += 1
    clear: dict[str, str | None] = {}
    changes: dict[str, Any] = {}
    for field in _encrypted_fields(model):
        token = row[_raw_name(field)]
        clear[field.attname] = None if token is None else _open(model, row["pk"], field, token)
        if token is not None and not is_current(token):
            changes[field.attname] = clear[field.attname]
    count.reencrypted += len(changes)
    for index in _index_fields(model):
        wanted = lookup_hash(index.purpose, clear.get(index.source) or "")
        if row[index.attname] != wanted:
            changes[index.attname] = wanted
            count.reindexed += 1
    if changes:
        model._base_manager.filter(pk=row["pk"]).update(**changes)


def _open(model: type[models.Model], pk: Any, field: EncryptedTextField, token: str) -> str:
    try:
        return decrypt(token, context=field.context)
    except VaultError as exc:
        raise VaultError(f"{model._meta.label} #{pk} {field.name}: {exc}") from exc
