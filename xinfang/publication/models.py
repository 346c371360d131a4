"""Letters released to the public with their replies (SPEC §7), and each mailbox's publication policy."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待领导审批")
    PUBLISHED = "published", _("已公开")
    UNPUBLISHED = "unpublished", _("已撤下")


class Publication(models.Model):
    """A letter of general concern released with its reply, personal data removed (SPEC §7).

    The texts here are the redacted versions that the public reads, never the letter's own
    fields, which are never altered. Only ``state == published`` is public; every change of state
    is a service in ``publication.services``. The table keeps the name it had in the portal
    (``portal_publication``).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    letter = models.OneToOneField(
        "letters.Letter", verbose_name=_("信件"), on_delete=models.PROTECT, related_name="publication"
    )
    # The letter's mailbox, copied so that a mailbox's public list reads one indexed table.
    mailbox = models.ForeignKey(
        "orgs.Mailbox", verbose_name=_("信箱"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The publisher's unit: a leader of its bureau approves.
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("公开单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=12, choices=PublicationState.choices, default=PublicationState.DRAFT)
    title = models.CharField(_("公开标题"), max_length=200)
    published_text = models.TextField(_("公开的来信内容"))
    published_reply = models.TextField(_("公开的答复内容"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("拟稿人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("拟稿时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("送审时间"), null=True, blank=True)
    sent_back_reason = models.TextField(_("退回理由"), blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unpublished_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    unpublish_reason = models.TextField(_("撤下理由"), blank=True)

    class Meta:
        db_table = "portal_publication"
        verbose_name = _("公开信件")
        verbose_name_plural = _("公开信件")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["mailbox", "state", "published_at"], name="publication_public_idx"),
            models.Index(fields=["unit", "state"], name="publication_unit_state_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.state == PublicationState.PUBLISHED


class PublicationPolicy(models.Model):
    """What a mailbox allows to be published. Without a row, the declared defaults apply
    (:data:`DEFAULT_POLICY`): no letter accusing an officer or a unit, officers' names masked."""

    mailbox = models.OneToOneField(
        "orgs.Mailbox", verbose_name=_("信箱"), on_delete=models.CASCADE, related_name="publication_policy"
    )
    allow_accusing = models.BooleanField(
        _("允许公开反映民警或单位的信件"), default=False, help_text=_("默认不允许：投诉、举报民警或单位的信件不公开。")
    )
    show_officer_names = models.BooleanField(
        _("公开时保留被反映民警的姓名和警号"), default=False, help_text=_("默认隐去。")
    )

    class Meta:
        verbose_name = _("信件公开规则")
        verbose_name_plural = _("信件公开规则")

    def __str__(self) -> str:
        return str(self.mailbox)


DEFAULT_POLICY = PublicationPolicy(allow_accusing=False, show_officer_names=False)
