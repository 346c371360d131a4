"""Sealing: give new entries their places in the Merkle tree and sign the new tree head.

Run by the worker every ``XINFANG_LOG_SEAL_SECONDS`` and soon after every identity reveal
(``xinfang.worker.schedule``), never in a request.
"""

from __future__ import annotations

import base64
import json
import os
import time
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from xinfang.audit import merkle
from xinfang.audit.models import AuditEntry, LogLeaf, TreeHead, leaf_bytes, leaf_fields
from xinfang.audit.receipts import head_message

# Key of the PostgreSQL advisory lock that keeps two sealers apart ("seal" in ASCII). Writers never take it.
SEAL_LOCK_KEY = 0x7365616C
# An entry is looked for this many ids below the newest sealed one: a transaction that committed
# after a later one (its id is smaller) is still sealed, unless some 100,000 entries passed meanwhile.
LOOKBACK_IDS = 100_000
ENTRY_FIELDS = ("id", "at", "kind", "actor_id", "subject_type", "subject_id", "data")
BATCH = 5000


@cache
def _signing_key(encoded: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(encoded))


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(settings.XINFANG_LOG_SIGNING_KEY)


def public_key_hex() -> str:
    return signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def log_seal() -> TreeHead | None:
    """Extend the tree over the entries not yet in it and sign the new head; None when there were none.

    1. Take the sealers' lock (PostgreSQL; SQLite admits one writer at a time anyway).
    2. From the latest head's frontier, hash the unsealed entries in id order into new leaves.
    3. Insert the leaves and the signed head in one transaction; after commit, copy the head to the sink.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        latest = TreeHead.objects.order_by("-tree_size").first()
        size = latest.tree_size if latest else 0
        frontier = [bytes.fromhex(h) for h in latest.frontier] if latest else []
        rows = _unsealed()
        if not rows:
            return None
        hashes = [merkle.leaf_hash(leaf_bytes(leaf_fields(row))) for row in rows]
        _insert_leaves(size, [row["id"] for row in rows], hashes)
        frontier = merkle.extend(frontier, size, hashes)
        head = _signed(size + len(rows), merkle.frontier_root(frontier), frontier)
        head.save(force_insert=True)
        transaction.on_commit(lambda: sink_write(head_json(head)))
    return head


def _insert_leaves(start: int, entry_ids: list[int], hashes: list[bytes]) -> None:
    """One statement on PostgreSQL (``unnest`` of three arrays: about ten times faster than bulk_create)."""
    indexes, digests = list(range(start, start + len(entry_ids))), [h.hex() for h in hashes]
    if connection.vendor != "postgresql":
        leaves = [LogLeaf(index=i, entry_id=e, hash=h) for i, e, h in zip(indexes, entry_ids, digests, strict=True)]
        LogLeaf.objects.bulk_create(leaves, batch_size=BATCH)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {LogLeaf._meta.db_table} ("index", entry_id, hash)'  # noqa: S608  # nosec B608 (a model's table name)
            " SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[])",
            [indexes, entry_ids, digests],
        )


def _unsealed() -> list[dict[str, Any]]:
    newest = LogLeaf.objects.aggregate(newest=Max("entry_id"))["newest"] or 0
    entries = AuditEntry.objects.filter(id__gt=newest - LOOKBACK_IDS, log_leaf__isnull=True).order_by("id")
    return list(entries.values(*ENTRY_FIELDS))


def _signed(tree_size: int, root: bytes, frontier: list[bytes]) -> TreeHead:
    timestamp = time.time_ns() // 1_000_000
    signature = signing_key().sign(head_message(tree_size, root.hex(), timestamp))
    return TreeHead(
        tree_size=tree_size,
        root_hash=root.hex(),
        timestamp=timestamp,
        signature=signature.hex(),
        public_key=public_key_hex(),
        frontier=[h.hex() for h in frontier],
    )


def head_json(head: TreeHead) -> dict[str, Any]:
    """A signed head as published and as receipts carry it ."""
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
        "signature": head.signature,
        "public_key": head.public_key,
    }


def sink_write(head: dict[str, Any]) -> Path:
    """Copy a signed head to the sink directory as ``<tree_size>.json``, whole or not at all."""
    directory = Path(settings.XINFANG_LOG_SINK_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{head['tree_size']:020d}.json"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(head, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def sink_heads() -> list[dict[str, Any]]:
    """The heads in the sink (a file that is not JSON is reported by ``audit_verify`` as unreadable)."""
    directory = Path(settings.XINFANG_LOG_SINK_DIR)
    if not directory.is_dir():
        return []
    heads = []
    for path in sorted(directory.glob("*.json")):
        try:
            heads.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            heads.append({"unreadable": path.name})
    return heads
