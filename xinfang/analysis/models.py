"""What the analysis keeps: letters' signatures for finding the same matter again (``repeats``), and
the early warnings about units and officers named by several writers (``warnings``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The early-warning rule when a mailbox has none of its own (issue 16 §5).
DEFAULT_WRITERS = 3
DEFAULT_DAYS = 90


class LetterSignature(models.Model):
    """One letter's MinHash and structured keys (``repeats.Signature``), computed by the worker."""

    letter = models.OneToOneField("letters.Letter", primary_key=True, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveSmallIntegerField()  # repeats.METHOD_VERSION when computed
    minhash = models.BinaryField()  # NUM_PERM little-endian uint32
    shingles = models.PositiveIntegerField()  # how many distinct grams the text has
    keys = models.JSONField(default=dict)  # kind → values (repeats.text_keys, letter_field_keys)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("信件特征")
        verbose_name_plural = _("信件特征")
        indexes = [models.Index(fields=["version"], name="signature_version_idx")]

    def __str__(self) -> str:
        return f"signature of letter {self.letter_id}"


class SignatureKey(models.Model):
    """One LSH band or one selective key of a letter's signature, as a 64-bit hash: the look-up's index."""

    letter = models.ForeignKey(
        "letters.Letter",
        verbose_name=pgettext_lazy("singular", "信件"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    kind = models.PositiveSmallIntegerField(_("键的种类"))  # 0: a band; else repeats.KIND_CODES
    key = models.BigIntegerField(_("键"))

    class Meta:
        verbose_name = _("信件特征键")
        verbose_name_plural = _("信件特征键")
        indexes = [
            models.Index(fields=["key", "letter"], name="signature_key_idx"),
            models.Index(fields=["letter"], name="signature_key_letter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}:{self.kind}:{self.key}"


class WarningRule(models.Model):
    """A mailbox's own early-warning rule: so many different writers naming one unit or officer within so many days."""

    mailbox = models.OneToOneField(
        "orgs.Mailbox", verbose_name=_("信箱"), on_delete=models.CASCADE, related_name="warning_rule"
    )
    writers = models.PositiveSmallIntegerField(_("不同信访人数"), default=DEFAULT_WRITERS)
    days = models.PositiveSmallIntegerField(_("时间窗口（天）"), default=DEFAULT_DAYS)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")

    def __str__(self) -> str:
        return str(self.mailbox)


class EarlyWarning(models.Model):
    """One unit (or one officer of it) named as accused in letters from several different writers."""

    mailbox = models.ForeignKey("orgs.Mailbox", verbose_name=_("信箱"), on_delete=models.CASCADE, related_name="+")
    accused_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("被反映单位"), on_delete=models.CASCADE, related_name="+"
    )
    # "" for the unit itself; else "badge:<number>" or "name:<name>" of the officer.
    officer_key = models.CharField(max_length=80, blank=True)
    officer = models.CharField(_("被反映民警"), max_length=80, blank=True)
    writers = models.PositiveIntegerField(_("不同信访人数"))
    days = models.PositiveSmallIntegerField(_("时间窗口（天）"))
    letters = models.ManyToManyField("letters.Letter", verbose_name=_("信件"), related_name="+")
    first_received_at = models.DateTimeField(_("最早来信"))
    last_received_at = models.DateTimeField(_("最近来信"))
    raised_at = models.DateTimeField(_("预警时间"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "accused_unit", "officer_key"], name="warning_once_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.accused_unit} {self.officer}".strip()
