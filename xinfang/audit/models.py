"""The audit log: an append-only hash chain of every state change, identity reveal, export,
permission change and sign-in (SPEC §6).

Each row's ``hash`` is SHA-256 over a canonical serialisation of its own fields and the previous
row's hash (``entry_hash``), so changing, removing, inserting or reordering a row breaks the
chain at that row; ``manage.py audit_verify`` walks it. Rows are written only by
``xinfang.audit.services.audit_record``; the model refuses updates and deletes, and on PostgreSQL
a trigger refuses them in the database as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


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


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit row."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    sequence = models.PositiveBigIntegerField(_("序号"), unique=True)
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
    data = models.JSONField(_("内容"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"], name="auditentry_subject_idx"),
            models.Index(fields=["kind", "at"], name="auditentry_kind_at_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


def normalise_data(data: dict[str, Any]) -> dict[str, Any]:
    """The payload exactly as the database will give it back, so that write and verify hash the same bytes.

    Dates, UUIDs and decimals become strings (DjangoJSONEncoder), and so do floats, since a
    database may give back ``1e16`` as ``10000000000000000``.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    normalised: dict[str, Any] = json.loads(text, parse_float=str)
    return normalised


def entry_hash(
    *,
    sequence: int,
    at: dt.datetime,
    kind: str,
    actor_id: int | None,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical JSON of a row's fields and the previous row's hash.

    Canonical: sorted keys, no spaces, UTF-8, the time in UTC with microseconds. Changing this
    function invalidates every stored chain; it must stay as it is.
    """
    fields = {
        "sequence": sequence,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "kind": kind,
        "actor": actor_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": data,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
