"""Signals the audit app listens to, sent inside the transaction that makes the change.

Sign-in itself is reported through Django's own ``user_logged_in``, ``user_login_failed`` (also sent
for a wrong second-factor code, with ``credentials={"username": …, "factor": "otp"}``) and
``user_logged_out``.
"""

from __future__ import annotations

from django.dispatch import Signal

staff_disabled = Signal()  # kwargs: user, actor, sessions_ended (int)
second_factor_changed = Signal()  # kwargs: user, change ("authenticator" | "recovery_codes")
