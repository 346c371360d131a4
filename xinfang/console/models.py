"""Records the console keeps: who revealed a letter writer's identity, and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityReveal(models.Model):
    """One row each time a member of staff opened a writer's full identity (SPEC §6).

    The audit app chains these (through ``letters.signals.identity_revealed``) so that the
    record is tamper-evident; this table is what the console reads back.
    """

    class Category(models.TextChoices):
        """Why the identity is needed: chosen from a list, so reveals can be counted by purpose."""

        CONTACT = "contact", _("联系信访人了解信件情况")
        VERIFY = "verify", _("核实身份以便答复")
        INVESTIGATE = "investigate", _("调查核实反映的问题")
        LEGAL = "legal", _("依法或纪检监察机关要求")
        OTHER = "other", _("其他")

    letter = models.ForeignKey("letters.Letter", verbose_name=_("信件"), on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("查看事由"), max_length=16, choices=Category.choices)
    reason = models.TextField(_("查看理由"))
    at = models.DateTimeField(_("查看时间"))

    class Meta:
        verbose_name = _("身份查看记录")
        verbose_name_plural = _("身份查看记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["letter", "at"], name="identityreveal_letter_at_idx")]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.actor_id} {self.at:%Y-%m-%d %H:%M}"
