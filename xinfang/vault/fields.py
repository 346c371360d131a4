"""Model fields of the identity vault: an encrypted text column and its blind index.

Code reads and writes clear text (``identity.phone = "138…"``); the database holds only
ciphertext. An encrypted column cannot be searched: every look-up but ``isnull`` is refused
(FieldError) rather than silently matching nothing, and rows are found by a ``BlindIndexField``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from xinfang.vault import PREFIX, VaultError, decrypt, encrypt, lookup_hash

if TYPE_CHECKING:
    _TextField = models.TextField[str, str]
    _CharField = models.CharField[str, str]
else:
    _TextField = models.TextField
    _CharField = models.CharField


class EncryptedTextField(_TextField):
    """Text encrypted with the vault's current key on every write and decrypted on every read.

    ``context`` names the column for good: it is bound into each value, so changing it makes
    the stored values unreadable (rename the model or field freely, never the context).
    ``dumpdata`` writes ciphertext too, and ``loaddata`` reads it back.
    """

    def __init__(self, *args: Any, context: str, **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper) -> str | None:
        return None if value is None else decrypt(value, context=self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value, context=self.context)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):  # from a fixture written by dumpdata
            try:
                return decrypt(value, context=self.context)
            except VaultError as exc:
                raise ValidationError(str(exc), code="vault") from exc
        return super().to_python(value)

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else encrypt(value, context=self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None  # Django raises FieldError: "Unsupported lookup … for EncryptedTextField"
        return super().get_lookup(lookup_name)


class BlindIndexField(_CharField):
    """The keyed hash (``xinfang.vault.lookup_hash``) of another field's clear value, to find rows by it.

    Set from ``source`` whenever the row is saved; a ``save(update_fields=…)`` that changes the
    source must name this field too. ``manage.py vault_rotate`` recomputes it after the look-up
    key changes.
    """

    def __init__(self, *args: Any, source: str, purpose: str, **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        return name, path, args, kwargs

    def hash_of(self, instance: models.Model) -> str:
        return lookup_hash(self.purpose, getattr(instance, self.source) or "")

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.hash_of(model_instance)
        setattr(model_instance, self.attname, value)
        return value
