"""The partner API's own tables: the partners' tokens and the idempotency keys of their POSTs.

A token belongs to one mailbox or one unit; its secret is shown once when it is made and stored
only as a SHA-256 digest (``tokens.py``). Every POST carries an ``Idempotency-Key``: the first
answer is stored with the digest of the body, so a retried request gets the same answer back
(``idempotency.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Mailbox, Unit
from xinfang.vault.fields import EncryptedTextField


class Scope(models.TextChoices):
    LETTERS_SUBMIT = "letters:submit", _("代为提交信件")
    LETTERS_STATUS = "letters:status", _("查询办理进度")
    LETTERS_READ_OWN = "letters:read-own", _("读取信访人的留言和答复")
    CALLS_SCREEN_POP = "calls:screen-pop", _("来电弹屏")
    MESSAGES_WRITE = "messages:write", _("代信访人留言")
    PUBLICATION_READ = "publication:read", _("读取公开信件")


DEFAULT_RATE_PER_MINUTE = 120


class PartnerToken(models.Model):
    """A partner's key to the API, for one mailbox or one unit (exactly one of the two)."""

    name = models.CharField(_("名称"), max_length=80, unique=True, help_text=_("如：广东公安微信小程序"))
    prefix = models.CharField(_("前缀"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("信箱"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scopes = models.JSONField(_("权限范围"), default=list)
    expires_at = models.DateTimeField(_("有效期至"))
    rate_per_minute = models.PositiveIntegerField(
        _("每分钟请求上限"), default=DEFAULT_RATE_PER_MINUTE, help_text=_("超过后返回 429，下一分钟恢复。")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )  # fmt: skip
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("合作渠道令牌")
        verbose_name_plural = _("合作渠道令牌")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mailbox__isnull=True, unit__isnull=False)
                | models.Q(mailbox__isnull=False, unit__isnull=True),
                name="partnertoken_mailbox_or_unit",
                violation_error_message=_("令牌须且只能属于一个信箱或一个单位。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def bureau(self) -> Unit:
        """The bureau the token speaks for: its unit's, or its mailbox owner's."""
        holder = self.mailbox.owner if self.mailbox is not None else self.unit
        assert holder is not None  # the check constraint
        return holder.bureau

    def mailboxes(self) -> list[Mailbox]:
        """The mailboxes this token may write into and read from: its own, or those its unit owns."""
        if self.mailbox is not None:
            return [self.mailbox]
        return list(Mailbox.objects.filter(owner=self.unit, is_active=True).order_by("pk"))


class IdempotencyKey(models.Model):
    """The first answer to a POST with this key from this token, and the digest of its body."""

    token = models.ForeignKey(PartnerToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    operation = models.CharField(max_length=80)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    # The answer as JSON, encrypted (``vault``): a receipt holds the query code, which is otherwise
    # stored only hashed.
    response = EncryptedTextField(context="api.idempotencykey.response", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotencykey_token_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotencykey_created_idx")]

    def __str__(self) -> str:
        return f"{self.token_id} {self.key}"
