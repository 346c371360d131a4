"""Check a xinfang receipt offline, with nothing but Python and ``cryptography`` (pip install cryptography).

    python verify_receipt.py receipt.json [--text letter.txt] [--key PUBLIC_KEY_HEX]

Checks that the signed tree head is signed (by --key, the platform's published key, if given), that
the receipt's entry is in that tree (RFC 9162 inclusion proof), and with --text that the text is the
letter's. Exit status 0: valid; 1: not. docs/transparency.md explains the format.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def included(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = h(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = h(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def check(receipt: dict[str, Any], text: str | None, key: str | None) -> str:
    entry, head, salt = receipt["entry"], receipt["tree_head"], bytes.fromhex(receipt["salt"])
    if receipt.get("format") != "xinfang-receipt/1" or entry.get("kind") != "letter_receipt":
        return "not a xinfang receipt"
    if h(salt).hex() != entry["data"]["salt_hash"]:
        return "the salt does not match the entry"
    if text is not None and h(salt + text.replace("\r\n", "\n").encode()).hex() != entry["data"]["text_hash"]:
        return "the text is not the letter's text"
    if head is None:
        return "pending: not sealed yet, download the receipt again in a minute"
    if key is not None and head["public_key"] != key:
        return "the tree head is not signed with the given key"
    message = f"xinfang-tree-head/1\n{head['tree_size']}\n{head['root_hash']}\n{head['timestamp']}\n".encode()
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(head["public_key"])).verify(
            bytes.fromhex(head["signature"]), message
        )
    except Exception:
        return "the tree head's signature is wrong"
    leaf = h(b"\x00" + json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    proof = [bytes.fromhex(p) for p in receipt["inclusion_proof"]]
    if not included(receipt["leaf_index"], head["tree_size"], leaf, proof, bytes.fromhex(head["root_hash"])):
        return "the inclusion proof fails: the entry is not in the signed tree"
    return "valid"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("receipt")
    parser.add_argument("--text", help="file with the letter's text (UTF-8)")
    parser.add_argument("--key", help="the platform's public key, hex (from /transparency/head)")
    args = parser.parse_args()
    try:
        receipt = json.loads(Path(args.receipt).read_text(encoding="utf-8"))
        text = Path(args.text).read_text(encoding="utf-8") if args.text else None
        outcome = check(receipt, text, args.key)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        outcome = f"not a valid receipt ({exc.__class__.__name__})"
    print(outcome)
    return 0 if outcome == "valid" else 1


if __name__ == "__main__":
    sys.exit(main())
