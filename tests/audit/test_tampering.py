"""1,000 random tamperings of a sealed log, on plain lists (fast): every one is reported, never later than
the first position that was touched.

The log: 60 entries sealed by four signed heads (copied to the sink); each round applies one of the
kinds an insider with database access could do (remove, insert, reorder, edit, re-hash the tail,
empty, cut off the end) with the leaf table kept consistent where the kind allows it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from xinfang.audit import merkle
from xinfang.audit.receipts import head_message
from xinfang.audit.verification import Leaf, check_log

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
SIZES = (13, 30, 47, 60)
ROUNDS = 1000

Log = tuple[list[Leaf], list[dict[str, object]], list[dict[str, object]]]  # leaves, heads, sink


def entry(n: int, text: str = "") -> bytes:
    return merkle.leaf_hash(f'{{"id":{n},"data":"{text or n}"}}'.encode())


def signed(leaves: list[Leaf], size: int, at: int) -> dict[str, object]:
    root = merkle.root([leaf.stored for leaf in leaves[:size]]).hex()
    signature = KEY.sign(head_message(size, root, at)).hex()
    return {"tree_size": size, "root_hash": root, "timestamp": at, "signature": signature, "public_key": PUBLIC}


def sealed_log() -> Log:
    leaves = [Leaf(n, entry(n), entry(n), at_ms=1000 * n) for n in range(SIZES[-1])]
    heads = [signed(leaves, size, 1000 * size) for size in SIZES]
    return leaves, heads, [dict(h) for h in heads]


def rehashed(leaves: list[Leaf]) -> list[Leaf]:
    """The leaf table made consistent with the entries again, renumbered from 0."""
    return [
        Leaf(n, leaf.actual or leaf.stored, leaf.actual or leaf.stored, leaf.at_ms) for n, leaf in enumerate(leaves)
    ]


def remove(rng: random.Random, log: Log) -> int:
    leaves = log[0]
    p = rng.randrange(len(leaves))
    if rng.random() < 0.5:
        leaves[p] = replace(leaves[p], actual=None)  # the entry only
    else:
        del leaves[p]  # the entry and its leaf
    return p


def insert(rng: random.Random, log: Log) -> int:
    leaves = log[0]
    p = rng.randrange(len(leaves))
    forged = entry(10_000 + p, "forged")
    leaves.insert(p, Leaf(p, forged, forged, leaves[p].at_ms))
    log[0][:] = rehashed(leaves)
    return p


def reorder(rng: random.Random, log: Log) -> int:
    leaves = log[0]
    p, q = sorted(rng.sample(range(len(leaves)), 2))
    leaves[p], leaves[q] = replace(leaves[q], index=p), replace(leaves[p], index=q)
    if rng.random() < 0.5:
        log[0][:] = rehashed(leaves)
    return p


def edit(rng: random.Random, log: Log) -> int:
    leaves = log[0]
    p = rng.randrange(len(leaves))
    forged = entry(p, f"edited {rng.random()}")
    leaves[p] = replace(leaves[p], actual=forged, stored=forged if rng.random() < 0.5 else leaves[p].stored)
    return p


def rehash_tail(rng: random.Random, log: Log) -> int:
    """Remove a row, renumber and re-hash everything after it, and drop the heads that no longer fit."""
    leaves, heads = log[0], log[1]
    p = rng.randrange(len(leaves))
    del leaves[p]
    log[0][:] = rehashed(leaves)
    heads[:] = [h for h in heads if int(str(h["tree_size"])) <= p]
    return p


def empty(rng: random.Random, log: Log) -> int:
    log[0].clear()
    log[1].clear()
    return 0


def cut_end(rng: random.Random, log: Log) -> int:
    leaves, heads = log[0], log[1]
    p = rng.randrange(1, len(leaves))
    del leaves[p:]
    heads[:] = [h for h in heads if int(str(h["tree_size"])) <= p]
    return p


def forge_head(rng: random.Random, log: Log) -> int:
    heads = log[1]
    victim = rng.randrange(len(heads))
    heads[victim] = {**heads[victim], "root_hash": entry(rng.randrange(999)).hex()}
    return 0 if victim == 0 else SIZES[victim - 1]


KINDS: list[Callable[[random.Random, Log], int]] = [
    remove, insert, reorder, edit, rehash_tail, empty, cut_end, forge_head,
]  # fmt: skip


def test_an_untouched_log_passes() -> None:
    leaves, heads, sink = sealed_log()

    assert check_log(leaves, heads, sink, {PUBLIC}).intact


def test_a_thousand_random_tamperings_are_all_reported_no_later_than_where_they_begin() -> None:
    rng = random.Random(15)
    missed: list[str] = []
    for round_ in range(ROUNDS):
        log = sealed_log()
        kind = KINDS[round_ % len(KINDS)]
        touched = kind(rng, log)
        report = check_log(*log, {PUBLIC})
        if report.problem is None or report.problem.position > touched:
            missed.append(f"round {round_}: {kind.__name__} at {touched} -> {report.problem}")

    assert missed == []


def test_a_head_signed_with_another_key_is_not_trusted() -> None:
    leaves, heads, sink = sealed_log()
    stranger = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    report = check_log(leaves, heads, sink, {stranger})

    assert report.problem is not None and report.problem.code == "head_signature"
