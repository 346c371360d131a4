"""A per-process copy of a small, rarely edited table read on every letter (policies, rules).

Each process keeps the rows for ``seconds``. Saving or deleting a row of a watched model forgets
the copy at once in this process (and again when the change commits); other processes see the
change within ``seconds``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_registry: list[TableCache[Any]] = []


class TableCache(Generic[T]):
    def __init__(self, load: Callable[[], list[T]], *, watch: tuple[type[models.Model], ...], seconds: float = 30.0):
        self._load = load
        self._seconds = seconds
        self._rows: list[T] | None = None
        self._read_at = 0.0
        for model in watch:
            post_save.connect(self._on_change, sender=model, weak=False)
            post_delete.connect(self._on_change, sender=model, weak=False)
        _registry.append(self)

    def rows(self) -> list[T]:
        if self._rows is None or time.monotonic() - self._read_at > self._seconds:
            self._rows = self._load()
            self._read_at = time.monotonic()
        return self._rows

    def forget(self) -> None:
        self._rows = None

    def _on_change(self, sender: type[models.Model], **kwargs: Any) -> None:
        self.forget()
        transaction.on_commit(self.forget)


def forget_all_table_caches() -> None:
    """For tests: rows read inside a rolled-back transaction must not outlive it."""
    for cache in _registry:
        cache.forget()
