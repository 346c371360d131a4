"""Reads of the transparency log: signed heads, proofs, a letter's receipt, and the whole log's check.

Proofs are computed from the stored leaf hashes in memory (32 bytes a leaf: a million entries
are 32 MB and about a second of hashing); see docs/benchmarks.md.
"""

from __future__ import annotations

from typing import Any

from xinfang.audit import merkle
from xinfang.audit.models import AuditEntry, AuditKind, LogLeaf, TreeHead, leaf_bytes, leaf_fields
from xinfang.audit.receipts import FORMAT
from xinfang.audit.sealing import ENTRY_FIELDS, head_json, public_key_hex, sink_heads
from xinfang.audit.services import RECEIPT_SUBJECT
from xinfang.audit.verification import Leaf, LogReport, check_log
from xinfang.letters.models import Letter

CHUNK = 2000


def tree_head_latest() -> TreeHead | None:
    return TreeHead.objects.order_by("-tree_size").first()


def tree_head_at(size: int) -> TreeHead | None:
    return TreeHead.objects.filter(tree_size=size).first()


def leaf_hashes(size: int) -> list[bytes]:
    rows = LogLeaf.objects.filter(index__lt=size).order_by("index").values_list("hash", flat=True)
    return [bytes.fromhex(h) for h in rows.iterator(chunk_size=CHUNK)]


def inclusion_proof(index: int, size: int) -> list[str]:
    return [h.hex() for h in merkle.inclusion_proof(index, leaf_hashes(size))]


def consistency_proof(first: int, second: int) -> list[str]:
    return [h.hex() for h in merkle.consistency_proof(first, leaf_hashes(second))]


def receipt_for(letter: Letter) -> dict[str, Any] | None:
    """The writer's receipt, with the inclusion proof in the latest head once the entry is sealed.

    None while the receipt entry is not yet written (it is, right after the letter's transaction).
    """
    entry = (
        AuditEntry.objects.filter(
            kind=AuditKind.LETTER_RECEIPT, subject_type=RECEIPT_SUBJECT, subject_id=letter.tracking_number
        )
        .select_related("log_leaf")
        .order_by("pk")
        .first()
    )
    if entry is None:
        return None
    head = tree_head_latest()
    leaf = getattr(entry, "log_leaf", None)
    sealed = leaf is not None and head is not None and leaf.index < head.tree_size
    return {
        "format": FORMAT,
        "entry": entry.leaf(),
        "salt": letter.receipt_salt,
        "leaf_index": leaf.index if sealed and leaf else None,
        "inclusion_proof": inclusion_proof(leaf.index, head.tree_size) if sealed and leaf and head else [],
        "tree_head": head_json(head) if sealed and head else None,
    }


def log_verify() -> LogReport:
    """Recompute every leaf from its entry and check the tree against the heads in the database and the sink."""
    return check_log(
        _leaves(), [head_json(h) for h in TreeHead.objects.order_by("tree_size")], sink_heads(), {public_key_hex()}
    )


def _leaves() -> list[Leaf]:
    rows = LogLeaf.objects.order_by("index").values("index", "hash", "entry_id").iterator(chunk_size=CHUNK)
    leaves: list[Leaf] = []
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            leaves.extend(_with_entries(batch))
            batch = []
    leaves.extend(_with_entries(batch))
    return leaves


def _with_entries(batch: list[dict[str, Any]]) -> list[Leaf]:
    ids = [row["entry_id"] for row in batch]
    entries = {row["id"]: row for row in AuditEntry.objects.filter(id__in=ids).values(*ENTRY_FIELDS)}
    leaves = []
    for row in batch:
        entry = entries.get(row["entry_id"])
        actual = merkle.leaf_hash(leaf_bytes(leaf_fields(entry))) if entry else None
        at_ms = int(entry["at"].timestamp() * 1000) if entry else None
        leaves.append(Leaf(row["index"], bytes.fromhex(row["hash"]), actual, at_ms))
    return leaves
