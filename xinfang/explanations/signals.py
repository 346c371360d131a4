"""Signals other apps listen to (notifications) without the explanations app knowing them.

Each is sent inside the transaction that writes the change, as ``letters.signals`` are, so a
receiver that enqueues a task commits or rolls back with it. Receivers must not do slow work inline.
"""

from __future__ import annotations

from django.dispatch import Signal

explanation_requested = Signal()  # kwargs: request (ExplanationRequest)
explanation_answered = Signal()  # kwargs: request (ExplanationRequest)
