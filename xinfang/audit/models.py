"""The audit log: every state change, identity reveal, export, permission change and sign-in (SPEC §6),
and every letter's receipt, as the leaves of a Merkle-tree transparency log (RFC 9162; docs/security.md).

- ``AuditEntry``: one INSERT per event; its auto-increment id is its sequence number, so writers
  never wait for each other (no lock, no read of the previous row).
- ``LogLeaf``: the entry's position in the tree, given by the sealer (``xinfang.audit.sealing``) in
  id order, and its leaf hash: SHA-256(0x00 || the canonical JSON of the entry, ``leaf_bytes``).
- ``TreeHead``: a signed tree head (size, root hash, time, Ed25519 signature) written by each seal,
  with its frontier (the roots of its complete subtrees), from which the next seal goes on. A copy
  of every head goes to a sink outside the database.

All three are append-only: the models refuse updates and deletes, on PostgreSQL a trigger refuses
them too, and the application's database role holds only SELECT and INSERT on them
(``manage.py db_roles``). ``manage.py audit_verify`` recomputes the tree from the rows and checks it
against every signed head, in the database and in the sink.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinfang.audit.receipts import canonical


class AuditKind(models.TextChoices):
    STATE_CHANGE = "state_change", _("状态变更")
    IDENTITY_REVEAL = "identity_reveal", _("查看身份信息")
    EXPORT = "export", _("导出")
    PERMISSION_CHANGE = "permission_change", _("权限变更")
    SECOND_FACTOR_CHANGE = "second_factor_change", _("第二因素变更")
    SIGN_IN = "sign_in", _("登录")
    SIGN_IN_FAILED = "sign_in_failed", _("登录失败")
    SIGN_OUT = "sign_out", _("退出登录")
    IDENTITY_ERASURE = "identity_erasure", _("按保存期限删除身份信息")
    LETTER_RECEIPT = "letter_receipt", _("收到信件（回执）")
    API_CALL = "api_call", _("合作渠道接口调用")


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove a row of the log."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the log cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("the log cannot be deleted from")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the log cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the log cannot be deleted from")


class AuditEntry(AppendOnly):
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("类别"), max_length=24, choices=AuditKind.choices)
    # PROTECT: an account that appears in the log is deactivated, never deleted (a SET_NULL
    # would have to change the row).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_type = models.CharField(_("对象类别"), max_length=40, blank=True)
    subject_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    data = models.JSONField(pgettext_lazy("audit data", "内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"], name="auditentry_subject_idx"),
            models.Index(fields=["kind", "at"], name="auditentry_kind_at_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"

    def leaf(self) -> dict[str, Any]:
        return leaf_fields(
            {"id": self.pk, "at": self.at, "kind": self.kind, "actor_id": self.actor_id,
             "subject_type": self.subject_type, "subject_id": self.subject_id, "data": self.data}
        )  # fmt: skip


class LogLeaf(AppendOnly):
    """An entry's place in the tree: positions 0, 1, 2 … without gaps, given when sealing."""

    index = models.PositiveBigIntegerField(_("位置"), primary_key=True)
    entry = models.OneToOneField(
        AuditEntry, verbose_name=_("审计记录"), on_delete=models.PROTECT, related_name="log_leaf"
    )
    hash = models.CharField(_("叶哈希"), max_length=64)

    class Meta:
        verbose_name = _("日志叶")
        verbose_name_plural = _("日志叶")
        ordering = ["index"]

    def __str__(self) -> str:
        return f"{self.index}: {self.hash}"


class TreeHead(AppendOnly):
    """A signed tree head: the tree's first ``tree_size`` leaves have ``root_hash``, signed at ``timestamp``."""

    tree_size = models.PositiveBigIntegerField(_("树大小"), primary_key=True)
    root_hash = models.CharField(_("根哈希"), max_length=64)
    timestamp = models.PositiveBigIntegerField(_("签名时间（毫秒）"))
    signature = models.CharField(_("签名"), max_length=128)
    public_key = models.CharField(_("公钥"), max_length=64)
    # The roots of the complete subtrees (largest first, hex): the next seal extends the tree from them.
    frontier = models.JSONField(_("子树根"), default=list)

    class Meta:
        verbose_name = _("签名树头")
        verbose_name_plural = _("签名树头")
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"{self.tree_size}: {self.root_hash}"


def normalise_data(data: dict[str, Any]) -> dict[str, Any]:
    """The payload exactly as the database will give it back, so that write and verify hash the same bytes.

    Dates, UUIDs and decimals become strings (DjangoJSONEncoder), and so do floats, since a
    database may give back ``1e16`` as ``10000000000000000``.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    normalised: dict[str, Any] = json.loads(text, parse_float=str)
    return normalised


def leaf_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The fields of an entry that its leaf commits to, as they go into a receipt."""
    return {
        "id": row["id"],
        "at": row["at"].astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "kind": row["kind"],
        "actor": row["actor_id"],
        "subject_type": row["subject_type"],
        "subject_id": row["subject_id"],
        "data": row["data"],
    }


def leaf_bytes(fields: dict[str, Any]) -> bytes:
    """The leaf's bytes: the canonical JSON of an entry's leaf fields (sorted keys, no spaces, UTF-8).

    Changing this invalidates every stored tree and every receipt; it must stay as it is (the
    standalone verifier, scripts/verify_receipt.py, repeats it).
    """
    return canonical(fields)
