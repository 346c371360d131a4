"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0), §2.1: hashes, proofs and their checks.

No Django here: ``manage.py verify_receipt``, the verifier page and the tests use it as it is, and
``scripts/verify_receipt.py`` repeats the few functions a receipt needs so that it runs alone.

- A leaf's hash is SHA-256(0x00 || leaf), an interior node's SHA-256(0x01 || left || right); the
  tree of ``n`` leaves splits at the largest power of two below ``n`` (§2.1.1).
- Proofs are computed from the list of leaf hashes (§2.1.3.1, §2.1.4.1) and checked with the
  RFC's own iterative algorithms (§2.1.3.2, §2.1.4.2), which never see the leaves.
- A ``frontier`` is the list of the roots of the complete subtrees that make up a tree, largest
  first (one per set bit of its size): enough to extend the tree by new leaves and to know its
  root without the older leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, bottom up: an unpaired last node moves up a level unchanged, which
    builds the same tree as the RFC's split at the largest power of two."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of §2.1.3.1 for leaf ``index`` in the tree of ``hashes``."""
    if not 0 <= index < len(hashes):
        raise ValueError("leaf index outside the tree")
    if len(hashes) == 1:
        return []
    k = split(len(hashes))
    if index < k:
        return [*inclusion_proof(index, hashes[:k]), root(hashes[k:])]
    return [*inclusion_proof(index - k, hashes[k:]), root(hashes[:k])]


def consistency_proof(first: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of §2.1.4.1: the tree of the first ``first`` leaves is a prefix of ``hashes``' tree."""
    if not 0 <= first <= len(hashes):
        raise ValueError("first size outside the tree")
    if first in (0, len(hashes)):
        return []
    return _subproof(first, hashes, complete=True)


def _subproof(m: int, hashes: Sequence[bytes], *, complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [root(hashes)]
    k = split(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete=complete), root(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], complete=False), root(hashes[:k])]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """§2.1.3.2: does ``leaf`` (a leaf hash) sit at ``index`` in the tree of ``size`` with that root?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """§2.1.4.2: is the tree of ``first`` leaves with ``first_root`` a prefix of the one of ``second``?"""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: its root is a node of the larger tree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


def extend(frontier: Sequence[bytes], size: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The frontier of the tree of ``size`` leaves after appending ``hashes`` (a binary counter's carries)."""
    if len(frontier) != size.bit_count():
        raise ValueError("the frontier does not fit the size")
    stack = list(frontier)
    for count, leaf in enumerate(hashes, start=size):
        stack.append(leaf)
        while count & 1:  # each carry merges two complete subtrees of equal size
            right = stack.pop()
            stack.append(node_hash(stack.pop(), right))
            count >>= 1
    return stack


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The root of the tree a frontier describes: its subtrees folded from the right."""
    if not frontier:
        return EMPTY_ROOT
    r = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        r = node_hash(subtree, r)
    return r
