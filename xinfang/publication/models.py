"""Letters released to the public with their replies (SPEC §7)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    """A letter of general concern released with its reply, personal data removed (SPEC §7).

    The texts here are the redacted versions that the public reads, never the letter's own
    fields. Without ``published_at`` it is a draft and not shown. The table keeps the name it had
    in the portal (``portal_publication``).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    letter = models.OneToOneField(
        "letters.Letter", verbose_name=_("信件"), on_delete=models.PROTECT, related_name="publication"
    )
    title = models.CharField(_("公开标题"), max_length=200)
    published_text = models.TextField(_("公开的来信内容"))
    published_reply = models.TextField(_("公开的答复内容"))
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        db_table = "portal_publication"
        verbose_name = _("公开信件")
        verbose_name_plural = _("公开信件")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title
