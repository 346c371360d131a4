"""make test's one run per database: each slow test starts at the head of a worker's first share."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SlowTestsLeadEachWorker


class Item:
    def __init__(self, name: str, slow: bool = False) -> None:
        self.name, self.slow = name, slow

    def get_closest_marker(self, name: str) -> Any:
        return (name == "slow" and self.slow) or None

    def __repr__(self) -> str:
        return self.name


def shares(items: list[Item], workers: int) -> list[list[Item]]:
    """pytest-xdist's first split under --dist worksteal: contiguous shares, the remainder last."""
    result, left = [], list(items)
    for worker in range(workers):
        size = len(left) // (workers - worker)
        result.append(left[:size])
        del left[:size]
    return result


@pytest.mark.parametrize("workers", [2, 3])
def test_every_worker_starts_on_a_slow_test_and_no_test_is_lost(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    items = [Item(f"t{i}") for i in range(40)]
    items[10:10] = [Item("year-a", True), Item("year-b", True)]
    items.append(Item("state-machine", True))
    before = list(items)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", str(workers))
    SlowTestsLeadEachWorker().pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert sorted(map(repr, items)) == sorted(map(repr, before))
    heads = [share[0] for share in shares(items, workers)]
    assert all(head.slow for head in heads[:3])
    assert {repr(head) for head in heads} >= {"year-a", "year-b"}


def test_without_workers_the_order_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [Item("a"), Item("year", True), Item("b")]
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    SlowTestsLeadEachWorker().pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert [repr(item) for item in items] == ["a", "year", "b"]
