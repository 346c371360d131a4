"""The Merkle tree against RFC 9162 §2.1 as written: the recursive MTH, PATH and PROOF are restated here
literally; for random sizes every proof verifies with the RFC's checks, and any flipped bit fails."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.audit import merkle

SIZES = st.integers(min_value=1, max_value=300)


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"entry {i}".encode()) for i in range(n)]


def mth(d: list[bytes]) -> bytes:
    """§2.1.1 literally, over leaf hashes."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = 1
    while k * 2 < len(d):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def flip(value: bytes, bit: int) -> bytes:
    changed = bytearray(value)
    changed[(bit // 8) % len(changed)] ^= 1 << (bit % 8)
    return bytes(changed)


@given(SIZES)
def test_the_root_is_the_rfcs_mth(n: int) -> None:
    d = leaves(n)

    assert merkle.root(d) == mth(d)
    assert merkle.frontier_root(merkle.extend([], 0, d)) == mth(d)


def test_the_empty_tree_and_the_one_leaf_tree_are_as_the_rfc_says() -> None:
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.root([merkle.leaf_hash(b"x")]) == merkle.leaf_hash(b"x")


@given(st.data(), SIZES)
def test_a_frontier_extended_in_steps_gives_the_whole_trees_root(data: st.DataObject, n: int) -> None:
    d = leaves(n)
    cut = data.draw(st.integers(0, n))
    first = merkle.extend([], 0, d[:cut])

    assert merkle.frontier_root(first) == mth(d[:cut])
    assert merkle.frontier_root(merkle.extend(first, cut, d[cut:])) == mth(d)


@settings(max_examples=200)
@given(st.data(), SIZES)
def test_every_inclusion_proof_verifies_and_any_flipped_bit_fails(data: st.DataObject, n: int) -> None:
    d = leaves(n)
    index = data.draw(st.integers(0, n - 1))
    proof = merkle.inclusion_proof(index, d)
    root = mth(d)

    assert merkle.verify_inclusion(index, n, d[index], proof, root)
    bit = data.draw(st.integers(0, 255))
    assert not merkle.verify_inclusion(index, n, flip(d[index], bit), proof, root)
    assert not merkle.verify_inclusion(index, n, d[index], proof, flip(root, bit))
    if proof:
        step = data.draw(st.integers(0, len(proof) - 1))
        forged = [*proof[:step], flip(proof[step], bit), *proof[step + 1 :]]
        assert not merkle.verify_inclusion(index, n, d[index], forged, root)
        assert not merkle.verify_inclusion(index, n, d[index], proof[:-1], root)
    other = data.draw(st.integers(0, n))
    if other != index:
        assert not merkle.verify_inclusion(other, n, d[index], proof, root)


@settings(max_examples=200)
@given(st.data(), SIZES)
def test_every_consistency_proof_verifies_and_any_flipped_bit_fails(data: st.DataObject, n: int) -> None:
    d = leaves(n)
    m = data.draw(st.integers(1, n))
    proof = merkle.consistency_proof(m, d)
    first, second = mth(d[:m]), mth(d)

    assert merkle.verify_consistency(m, n, first, second, proof)
    bit = data.draw(st.integers(0, 255))
    assert not merkle.verify_consistency(m, n, flip(first, bit), second, proof)
    assert not merkle.verify_consistency(m, n, first, flip(second, bit), proof)
    if proof:
        step = data.draw(st.integers(0, len(proof) - 1))
        forged = [*proof[:step], flip(proof[step], bit), *proof[step + 1 :]]
        assert not merkle.verify_consistency(m, n, first, second, forged)


@given(st.data(), st.integers(min_value=2, max_value=200))
def test_a_rewritten_history_is_not_consistent_with_the_old_head(data: st.DataObject, n: int) -> None:
    d = leaves(n)
    m = data.draw(st.integers(1, n - 1))
    victim = data.draw(st.integers(0, m - 1))
    rewritten = [*d[:victim], merkle.leaf_hash(b"forged"), *d[victim + 1 :]]

    assert not merkle.verify_consistency(m, n, mth(d[:m]), mth(rewritten), merkle.consistency_proof(m, rewritten))
