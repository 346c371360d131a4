"""A writer's receipt: its format, the salted hashes it commits to, and its offline check.

No Django here (only ``cryptography`` and the standard library): ``manage.py verify_receipt`` and
the verifier page call :func:`check_receipt`; ``scripts/verify_receipt.py`` is the same check in
one file for anyone to run (docs/transparency.md). Every hash is lowercase hex.

A receipt (``FORMAT``)::

    {"format": "xinfang-receipt/1",
     "entry": {"id", "at", "kind": "letter_receipt", "actor": null, "subject_type", "subject_id",
               "data": {"tracking_number", "received_at", "mailbox",
                        "salt_hash", "text_hash", "file_hashes": [...]}},
     "salt": hex, "leaf_index": int | null, "inclusion_proof": [hex, ...],
     "tree_head": {"tree_size", "root_hash", "timestamp", "signature", "public_key"} | null}

The entry is the log's row as its leaf commits to it (``leaf_bytes``); ``tree_head`` is null and
``leaf_index`` null until the next seal ("pending").
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from xinfang.audit import merkle

FORMAT = "xinfang-receipt/1"
RECEIPT_KEYS = {"format", "entry", "salt", "leaf_index", "inclusion_proof", "tree_head"}
ENTRY_KEYS = {"id", "at", "kind", "actor", "subject_type", "subject_id", "data"}
DATA_KEYS = {"tracking_number", "received_at", "mailbox", "salt_hash", "text_hash", "file_hashes"}
HEAD_KEYS = {"tree_size", "root_hash", "timestamp", "signature", "public_key"}
HASH = re.compile(r"[0-9a-f]{64}")
SALT = re.compile(r"[0-9a-f]{32}")
SIGNATURE = re.compile(r"[0-9a-f]{128}")


def salt_hash(salt: bytes) -> str:
    return hashlib.sha256(salt).hexdigest()


def content_hash(salt: bytes, text: str) -> str:
    """SHA-256(salt || the text in UTF-8, with ``\\r\\n`` as ``\\n``) — as the letter was stored."""
    return hashlib.sha256(salt + text.replace("\r\n", "\n").encode()).hexdigest()


def file_hash(salt: bytes, sha256: bytes) -> str:
    """SHA-256(salt || SHA-256(file))."""
    return hashlib.sha256(salt + sha256).hexdigest()


def head_message(tree_size: int, root_hash: str, timestamp: int) -> bytes:
    """The bytes a tree head's signature covers."""
    return f"xinfang-tree-head/1\n{tree_size}\n{root_hash}\n{timestamp}\n".encode()


def head_signature_valid(head: dict[str, Any]) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(head["public_key"]))
        message = head_message(head["tree_size"], head["root_hash"], head["timestamp"])
        key.verify(bytes.fromhex(head["signature"]), message)
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class ReceiptCheck:
    """The outcome: ``code`` is "valid", "pending" or the first thing found wrong."""

    code: str
    tree_size: int | None = None

    @property
    def valid(self) -> bool:
        return self.code == "valid"


def check_receipt(
    receipt: object, *, text: str | None = None, trusted_keys: frozenset[str] | None = None
) -> ReceiptCheck:
    """Check a parsed receipt; with ``text``, also that it is the letter's text; with ``trusted_keys``
    (public keys in hex), also that the log's key is one of them.

    Codes, in the order checked: malformed, salt, text, pending, key, signature, inclusion, valid.
    """
    if not _well_formed(receipt):
        return ReceiptCheck("malformed")
    assert isinstance(receipt, dict)
    entry, salt = receipt["entry"], bytes.fromhex(receipt["salt"])
    if salt_hash(salt) != entry["data"]["salt_hash"]:
        return ReceiptCheck("salt")
    if text is not None and content_hash(salt, text) != entry["data"]["text_hash"]:
        return ReceiptCheck("text")
    head = receipt["tree_head"]
    if head is None:
        return ReceiptCheck("pending")
    if trusted_keys is not None and head["public_key"] not in trusted_keys:
        return ReceiptCheck("key", head["tree_size"])
    if not head_signature_valid(head):
        return ReceiptCheck("signature", head["tree_size"])
    leaf = merkle.leaf_hash(canonical(entry))
    proof = [bytes.fromhex(p) for p in receipt["inclusion_proof"]]
    root = bytes.fromhex(head["root_hash"])
    if not merkle.verify_inclusion(receipt["leaf_index"], head["tree_size"], leaf, proof, root):
        return ReceiptCheck("inclusion", head["tree_size"])
    return ReceiptCheck("valid", head["tree_size"])


def canonical(fields: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the leaf's bytes (as ``xinfang.audit.models.leaf_bytes``)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _well_formed(receipt: object) -> bool:
    """Exactly the keys of the format, hashes as lowercase hex, sizes as integers: a receipt that
    differs from what the log issued in any byte that matters is not read charitably."""
    if not (isinstance(receipt, dict) and set(receipt) == RECEIPT_KEYS and receipt["format"] == FORMAT):
        return False
    entry, head, index = receipt["entry"], receipt["tree_head"], receipt["leaf_index"]
    if not (isinstance(entry, dict) and set(entry) == ENTRY_KEYS and entry["kind"] == "letter_receipt"):
        return False
    data = entry["data"]
    if not (isinstance(data, dict) and set(data) == DATA_KEYS and isinstance(data["file_hashes"], list)):
        return False
    hashes = [data["salt_hash"], data["text_hash"], *data["file_hashes"]]
    if not (_matches(SALT, receipt["salt"]) and all(_matches(HASH, h) for h in hashes)):
        return False
    proof = receipt["inclusion_proof"]
    if head is None:
        return index is None and proof == []
    return (
        _integer(index)
        and isinstance(proof, list)
        and all(_matches(HASH, p) for p in proof)
        and isinstance(head, dict)
        and set(head) == HEAD_KEYS
        and _integer(head["tree_size"])
        and _integer(head["timestamp"])
        and _matches(HASH, head["root_hash"])
        and _matches(HASH, head["public_key"])
        and _matches(SIGNATURE, head["signature"])
    )


def _matches(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
