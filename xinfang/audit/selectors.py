"""Reads of the audit log: walking the chain to prove it whole."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from xinfang.audit.models import GENESIS_HASH, AuditEntry, entry_hash

CHUNK = 2000
FIELDS = ("id", "sequence", "at", "kind", "actor_id", "subject_type", "subject_id", "data", "prev_hash", "hash")


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    entry_id: int | None  # None when the row that should be there is missing at the end
    reason: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_sequence: int
    head_hash: str
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def audit_chain_verify(*, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole chain in sequence order and report the first row that does not fit.

    A row fits when its sequence is the next one (else rows were removed before it), its
    ``prev_hash`` is the previous row's hash (else rows were removed, inserted or reordered) and
    its ``hash`` matches its contents (else it was altered). The chain alone cannot show that
    its newest rows were cut off: ``anchor`` (a sequence and hash noted earlier, e.g. from a
    previous run's output) catches that too.
    """
    count, prev_hash = 0, GENESIS_HASH
    for row in _rows():
        count += 1
        problem = _problem(row, count, prev_hash, anchor)
        if problem is not None:
            return ChainReport(count - 1, count - 1, prev_hash, ChainBreak(row["sequence"], row["id"], problem))
        prev_hash = row["hash"]
    if anchor is not None and anchor[0] > count:
        reason = _("日志只到第 %(count)d 条，比记下的锚点短：末尾的记录被删除了。") % {"count": count}
        return ChainReport(count, count, prev_hash, ChainBreak(anchor[0], None, reason))
    return ChainReport(count, count, prev_hash, None)


def _rows() -> Iterator[dict[str, Any]]:
    return AuditEntry.objects.order_by("sequence").values(*FIELDS).iterator(chunk_size=CHUNK)


def _problem(row: dict[str, Any], expected: int, prev_hash: str, anchor: tuple[int, str] | None) -> str | None:
    if row["sequence"] != expected:
        return _("序号应为 %(expected)d：在它之前有记录被删除。") % {"expected": expected}
    if row["prev_hash"] != prev_hash:
        return _("与前一条记录的哈希不相连：在它之前有记录被删除、插入或调换了顺序。")
    fields = {k: row[k] for k in FIELDS if k not in {"id", "hash"}}
    if entry_hash(**fields) != row["hash"]:
        return _("内容与哈希不符：这条记录被改动过。")
    if anchor is not None and anchor[0] == row["sequence"] and anchor[1] != row["hash"]:
        return _("哈希与记下的锚点不符：这条记录或它之前的记录被改写过。")
    return None
