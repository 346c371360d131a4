"""What the holiday calendar announces, so that the apps whose dates depend on it follow.

``holiday_year_changed`` (kwargs: ``year``) is sent inside the transaction that loaded or edited a
year's holidays; each receiver returns how many of its records it recomputed (the letters app:
the provisional due dates, ``letters.receivers``).
"""

from __future__ import annotations

from django.dispatch import Signal

holiday_year_changed = Signal()
