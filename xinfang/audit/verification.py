"""Proving the log whole: recompute the tree from the rows and hold it against every signed head.

:func:`check_log` works on plain values (the tests tamper with lists); :func:`log_verify` reads
the tables and the sink. A signed head is trusted only when its signature verifies with one of
the log's keys, so someone who can rewrite the database but does not hold the signing key cannot
make a rewritten history agree with the heads — least of all with the copies in the sink, which
the database does not hold.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from xinfang.audit import merkle
from xinfang.audit.receipts import head_signature_valid

# A transaction may commit this long after a head was signed and still be sealed into the next one.
LATE_COMMIT_MS = 10 * 60 * 1000
COARSE = {"root_mismatch", "log_shorter"}  # a head disagrees somewhere from ``position`` to its size


@dataclass(frozen=True)
class Leaf:
    index: int  # as stored
    stored: bytes  # the leaf hash as stored
    actual: bytes | None  # the hash of its entry as the entry is now; None: the entry is gone
    at_ms: int | None = None  # the entry's time, for spotting one backdated into the log


@dataclass(frozen=True)
class Problem:
    """The first position in the log that disagrees, and why (a code: see ``audit_verify``)."""

    position: int
    code: str
    tree_size: int | None = None  # the signed head that shows it, when a head does


@dataclass(frozen=True)
class LogReport:
    leaves: int
    heads: int
    head: dict[str, Any] | None  # the largest verified head
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def check_log(
    leaves: Sequence[Leaf],
    db_heads: Sequence[dict[str, Any]],
    sink_heads: Sequence[dict[str, Any]],
    keys: Collection[str],
) -> LogReport:
    """Report the first (lowest) position where the rows, the leaves and the signed heads disagree."""
    problems = list(_leaf_problems(leaves))
    stored = [leaf.stored for leaf in leaves]
    in_db = {(h.get("tree_size"), h.get("root_hash")) for h in db_heads}
    largest: dict[str, Any] | None = None
    good, frontier, done = 0, list[bytes](), 0
    for head in sorted([*db_heads, *sink_heads], key=_size):
        size = _size(head)
        if not (head_signature_valid(head) and head.get("public_key") in keys):
            problems.append(Problem(good, "head_signature", size))
            continue
        if size > len(stored):
            problems.append(Problem(good, "log_shorter", size))
            continue
        frontier, done = merkle.extend(frontier, done, stored[done:size]), size
        if merkle.frontier_root(frontier).hex() != head["root_hash"]:
            problems.append(Problem(good, "root_mismatch", size))
            continue
        if (size, head["root_hash"]) not in in_db:
            problems.append(Problem(size, "head_missing", size))
        good, largest = size, head
    problems.extend(_backdated(leaves, db_heads))
    first = min(_explained_away(problems), key=lambda p: p.position, default=None)
    return LogReport(len(leaves), len(db_heads), largest, first)


def _explained_away(problems: list[Problem]) -> list[Problem]:
    """A head's root says only that some leaf in its range is wrong; a leaf found wrong in that range says which."""
    exact = [p.position for p in problems if p.tree_size is None]
    return [
        p
        for p in problems
        if not (p.code in COARSE and p.tree_size is not None and any(p.position <= e < p.tree_size for e in exact))
    ]


def _size(head: dict[str, Any]) -> int:
    size = head.get("tree_size")
    return size if isinstance(size, int) else -1


def _leaf_problems(leaves: Sequence[Leaf]) -> Iterator[Problem]:
    for position, leaf in enumerate(leaves):
        if leaf.index != position:
            yield Problem(position, "leaf_missing")
            return
        if leaf.actual is None:
            yield Problem(position, "entry_missing")
            return
        if leaf.actual != leaf.stored:
            yield Problem(position, "entry_changed")
            return


def _backdated(leaves: Sequence[Leaf], heads: Sequence[dict[str, Any]]) -> Iterator[Problem]:
    """An entry sealed after a head but dated well before it was slipped in later."""
    ordered = sorted((_size(h), int(h["timestamp"])) for h in heads if isinstance(h.get("timestamp"), int))
    for (before, signed_at), (after, _) in itertools.pairwise(ordered):
        for leaf in leaves[before:after]:
            if leaf.at_ms is not None and leaf.at_ms < signed_at - LATE_COMMIT_MS:
                yield Problem(leaf.index, "entry_backdated", after)
                return
