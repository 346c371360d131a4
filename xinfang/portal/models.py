"""The portal's own data: the counts behind its rate limits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleCount(models.Model):
    """Attempts counted in a fixed window for ``portal.throttling`` (look-ups, sign-ups).

    In the database rather than a per-process cache: every worker sees one count, a restart
    forgets nothing, and an increment is one conditional UPDATE. ``key`` is a keyed hash of what
    is counted (an address, a tracking number), so no address or number is kept in clear.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    hits = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttlecount_unique_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.hits}"
