"""What happens to a staff account, announced for the audit log; sent by the sign-in services inside
the transaction that makes the change (they live here, with the account, so that the audit app
listens without importing an interface app).

Sign-in itself is reported through Django's own ``user_logged_in``, ``user_login_failed`` (also sent
for a wrong second-factor code, with ``credentials={"username": …, "factor": "otp"}``) and
``user_logged_out``.
"""

from __future__ import annotations

from django.dispatch import Signal

staff_disabled = Signal()  # kwargs: user, actor, sessions_ended (int)
second_factor_changed = Signal()  # kwargs: user, change ("authenticator" | "recovery_codes")
