"""Notifications (the inbox), their outbound deliveries (SMS, e-mail) and their templates.

A :class:`Notification` is one message to one recipient about one thing that happened; it is
what the portal and console inboxes list. Each :class:`Delivery` carries it out of the product
on one channel and is the outbox row: it keeps its own state, attempts, back-off and
idempotency key, so a worker that dies mid-send loses nothing (see ``services.delivery_attempt``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    # To the writer of a letter.
    RECEIPT = "receipt", _("信件已收到")
    ACCEPTED = "accepted", _("信件已受理")
    NOT_ACCEPTED = "not_accepted", _("信件不予受理")
    REFERRED = "referred", _("告知向有权机关提出")
    EMERGENCY = "emergency", _("已转 110 紧急处置")
    TRANSFERRED = "transferred", _("信件已转办")
    INFO_REQUESTED = "info_requested", _("请补充材料")
    MESSAGE = "message", _("承办单位留言")
    EXTENDED = "extended", _("办理期限延长")
    REPLIED = "replied", _("信件已答复")
    REVIEW_ANSWERED = "review_answered", _("复查意见")
    REEXAM_ANSWERED = "reexam_answered", _("复核意见")
    STEP = "step", _("办理进展")
    # To staff.
    NEW_LETTER = "new_letter", _("新信件待受理")
    INFO_SUPPLIED = "info_supplied", _("信访人已补充材料")
    ASSIGNED = "assigned", _("新转办信件")
    RETURNED = "returned", _("信件被退回")
    APPROVE_REPLY = "approve_reply", _("答复待审批")
    APPROVE_EXTENSION = "approve_extension", _("延期申请待审批")
    REPLY_REJECTED = "reply_rejected", _("答复稿被退回")
    EXTENSION_DECIDED = "extension_decided", _("延期申请已审批")
    REPORTED_BACK = "reported_back", _("已报告办理结果")
    REVIEW_REQUESTED = "review_requested", _("复查申请")
    REEXAM_REQUESTED = "reexam_requested", _("复核申请")
    DUE_SOON = "due_soon", _("信件临近期限")
    OVERDUE = "overdue", _("信件已逾期")
    SUPERVISION = "supervision", _("督办通知")
    SUPERVISION_RAISED = "supervision_raised", _("自动督办待跟进")
    INSTRUCTION = "instruction", _("领导批示")
    CITIZEN_MESSAGE = "citizen_message", _("信访人留言")
    # To the leaders of an accused bureau: about the request only, never the letter (SPEC §6).
    EXPLANATION_REQUESTED = "explanation_requested", _("请说明情况")
    # To the handler who asked.
    EXPLANATION_ANSWERED = "explanation_answered", _("被反映单位已说明情况")
    # To the inspectors above a unit named by several writers (analysis.early_warning): no letter, no writer.
    EARLY_WARNING = "early_warning", _("信访预警")


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class Notification(models.Model):
    """One message to one recipient; ``recipient`` is empty only for an anonymous caller (SMS only)."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # "user:<id>" or "caller:<id>": what throttling and de-duplication count by.
    recipient_key = models.CharField(_("接收人标识"), max_length=40)
    letter = models.ForeignKey(
        "letters.Letter",
        verbose_name=pgettext_lazy("singular", "信件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    # What caused it ("event:<id>", "message:<id>" …): one notification per cause, kind and recipient.
    source = models.CharField(_("起因"), max_length=60)
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(pgettext_lazy("title", "标题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "recipient_key"], name="notification_once_per_cause")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox_idx"),
            # The inbox's page in its order without sorting every notification a desk has had (docs/benchmarks.md).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """A notification on its way out by SMS or e-mail: the outbox row the worker drives."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient_key = models.CharField(_("接收人标识"), max_length=40)
    text = models.TextField(_("发送内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    # Sent with every attempt (the HTTP SMS gateway's Idempotency-Key, the e-mail's Message-ID),
    # so a gateway that already accepted a message recognises the retry.
    idempotency_key = models.UUIDField(_("幂等键"), default=uuid.uuid4, unique=True, editable=False)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("外发记录")
        verbose_name_plural = _("外发记录")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["recipient_key", "channel", "sent_at"], name="delivery_throttle_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class NotificationTemplate(models.Model):
    """An administrator's wording for one kind in one language; without a row the default in code applies."""

    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(pgettext_lazy("title", "标题"), max_length=200)
    body = models.TextField(_("站内信和邮件正文"))
    sms = models.CharField(_("短信"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("通知模板")
        verbose_name_plural = _("通知模板")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="notificationtemplate_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"
