"""Explanation requests (情况说明): the handling unit asks the accused unit for its account.

The accused side never sees the letter (SPEC §6). It sees only what the request carries: a
redacted ``extract`` and the handler's ``questions``, both checked by ``analysis.identifying``
when the request is made, the due date and the requesting unit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExplanationRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待说明")
        ANSWERED = "answered", _("已说明")
        WITHDRAWN = "withdrawn", _("已撤回")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    letter = models.ForeignKey(
        "letters.Letter",
        verbose_name=pgettext_lazy("singular", "信件"),
        on_delete=models.CASCADE,
        related_name="explanation_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("请求人"), on_delete=models.PROTECT, related_name="+"
    )
    # The unit that owed the letter's next step when asking: its staff may withdraw the request.
    requesting_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("请求单位"), on_delete=models.PROTECT, related_name="+"
    )
    # The bureau of the letter's accused unit: its leaders answer.
    accused_bureau = models.ForeignKey(
        "orgs.Unit", verbose_name=_("被反映单位"), on_delete=models.PROTECT, related_name="+"
    )
    extract = models.TextField(_("情况摘录"))
    questions = models.TextField(_("需说明的问题"))
    due_on = models.DateField(_("说明期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("情况说明"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("情况说明请求")
        verbose_name_plural = _("情况说明请求")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["accused_bureau", "status", "due_on"], name="explanation_accused_idx"),
        ]

    def __str__(self) -> str:
        return str(self.public_id)
