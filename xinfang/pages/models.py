"""What the shared pages keep: the counts behind the rate limits of look-ups and sign-ups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleCount(models.Model):
    """Attempts counted in a fixed window for ``pages.throttling`` (look-ups, sign-ups, the seat's
    caller look-ups).

    In the database rather than a per-process cache: every worker sees one count, a restart
    forgets nothing, and an increment is one conditional UPDATE. ``key`` is a keyed hash of what
    is counted (an address, a tracking number), so no address or number is kept in clear.
    The table keeps the name it had in the portal, where the model was first.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    hits = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "portal_throttlecount"
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttlecount_unique_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.hits}"
