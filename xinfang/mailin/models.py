"""Letters by e-mail: the addresses that take them and the spool of what arrived.

A :class:`MailAddress` opens one address for one mailbox (and one letter type: an e-mail has no
form to choose it); the mailbox must also have the e-mail channel open (``Mailbox.channels``).
An :class:`InboundMessage` is one accepted message for one address, written before the SMTP
server answers 250 (``services.message_spool``) and turned into a letter once
(``services.message_convert``). Its ``digest`` (Message-ID and a hash of the content) makes a
message delivered twice (a sender that lost our 250 and retried) one row, hence one letter.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinfang.vault.fields import EncryptedTextField
from xinfang.vocabulary import LetterType


class MailAddress(models.Model):
    address = models.EmailField(
        _("电子邮件地址"), max_length=254, unique=True, help_text=_("如 gd-jubao@xinfang.gd.gov.cn，全部小写")
    )
    mailbox = models.ForeignKey(
        "orgs.Mailbox", verbose_name=_("信箱"), on_delete=models.CASCADE, related_name="mail_addresses"
    )
    letter_type = models.CharField(
        _("来信类型"), max_length=20, choices=LetterType.choices, default=LetterType.COMPLAINT,
        help_text=_("发到本地址的邮件登记为此类信件：每种类型可各开一个地址。"),
    )  # fmt: skip
    is_active = models.BooleanField(_("开通"), default=True)

    class Meta:
        verbose_name = _("电子邮件收信地址")
        verbose_name_plural = _("电子邮件收信地址")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.address = self.address.strip().lower()  # one spelling: RCPT TO is matched in lower case
        super().save(*args, **kwargs)


class InboundMessage(models.Model):
    class Status(models.TextChoices):
        SPOOLED = "spooled", _("待登记")
        CONVERTED = "converted", _("已登记为信件")
        REFUSED = "refused", _("未能登记")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    address = models.ForeignKey(MailAddress, verbose_name=_("收信地址"), on_delete=models.PROTECT)
    envelope_sender = models.CharField(_("信封发件人"), max_length=320)
    message_id = models.CharField(_("邮件标识"), max_length=998, blank=True)
    digest = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    # The message as received, until it has become a letter (or was refused): then the letter
    # and its attachments hold what it said, and only the digest is kept against a second delivery.
    raw = models.BinaryField(default=bytes)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SPOOLED)
    letter = models.ForeignKey(
        "letters.Letter",
        verbose_name=pgettext_lazy("singular", "信件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal = models.TextField(_("未能登记的原因"), blank=True)
    # The portal's emergency check (analysis.emergency) on the subject and text: the answer then says "call 110" first.
    emergency = models.BooleanField(_("疑似正在发生的紧急情况"), default=False)
    processed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    # The answer to the sender: where it goes, the query code until it has gone (encrypted; the
    # letter keeps only its hash), and the outbox state of that one e-mail.
    reply_to = models.CharField(_("回复地址"), max_length=320, blank=True)
    reply_code = EncryptedTextField(context="mailin.inbound_message.reply_code", blank=True)
    reply_due_at = models.DateTimeField(null=True, blank=True)
    reply_attempts = models.PositiveSmallIntegerField(default=0)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    reply_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("电子邮件来信")
        verbose_name_plural = _("电子邮件来信")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["address", "digest"], name="inboundmessage_address_digest"),
        ]
        indexes = [
            models.Index(fields=["envelope_sender", "received_at"], name="inboundmessage_sender_idx"),
            models.Index(
                fields=["received_at"], condition=models.Q(status="spooled"), name="inboundmessage_spooled_idx"
            ),
            models.Index(
                fields=["reply_due_at"], condition=models.Q(reply_due_at__isnull=False), name="inboundmessage_reply_idx"
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)
