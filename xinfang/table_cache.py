"""Per-process copies of small, rarely edited tables read on every letter (policies, rules, the unit tree).

Each process keeps what it read for ``seconds``. Saving or deleting a row of a watched model forgets
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
K = TypeVar("K")
V = TypeVar("V")

_registry: list[_WatchedCache] = []
_watching: dict[type[models.Model], list[_WatchedCache]] = {}


class _WatchedCache:
    """What both caches share: forgetting on a change of a watched model, and expiry."""

    def __init__(self, *, watch: tuple[type[models.Model], ...], seconds: float) -> None:
        self._seconds = seconds
        self._started_at = time.monotonic()
        for model in watch:
            post_save.connect(self._on_change, sender=model, weak=False)
            post_delete.connect(self._on_change, sender=model, weak=False)
            _watching.setdefault(model, []).append(self)
        _registry.append(self)

    def forget(self) -> None:
        self._started_at = time.monotonic()

    def _expired(self) -> bool:
        return time.monotonic() - self._started_at > self._seconds

    def _on_change(self, sender: type[models.Model], **kwargs: Any) -> None:
        self.forget()
        transaction.on_commit(self.forget)


class TableCache(_WatchedCache, Generic[T]):
    """The rows of a table, loaded whole."""

    def __init__(self, load: Callable[[], list[T]], *, watch: tuple[type[models.Model], ...], seconds: float = 30.0):
        self._load = load
        self._rows: list[T] | None = None
        super().__init__(watch=watch, seconds=seconds)

    def rows(self) -> list[T]:
        if self._rows is None or self._expired():
            self.forget()
            self._rows = self._load()
        return self._rows

    def forget(self) -> None:
        super().forget()
        self._rows = None


class KeyedCache(_WatchedCache, Generic[K, V]):
    """Values computed one key at a time (a unit's subtree, say), each loaded on first use."""

    def __init__(self, load: Callable[[K], V], *, watch: tuple[type[models.Model], ...], seconds: float = 30.0):
        self._load = load
        self._values: dict[K, V] = {}
        super().__init__(watch=watch, seconds=seconds)

    def get(self, key: K) -> V:
        if self._expired():
            self.forget()
        if key not in self._values:
            self._values[key] = self._load(key)
        return self._values[key]

    def forget(self) -> None:
        super().forget()
        self._values = {}


def tables_changed(*changed: type[models.Model]) -> None:
    """After a bulk write to ``changed``: this process's copies of them are forgotten now and again
    when the transaction commits, as a save would have done."""
    for cache in {cache for model in changed for cache in _watching.get(model, ())}:
        cache.forget()
        transaction.on_commit(cache.forget)


def forget_all_table_caches() -> None:
    """For tests: rows read inside a rolled-back transaction must not outlive it."""
    for cache in _registry:
        cache.forget()
