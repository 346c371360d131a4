"""Signals other apps listen to (notifications, audit) without the letters app knowing them.

``letter_event_recorded`` is sent inside the transaction that writes the timeline row, so a
receiver that writes (an audit row, an enqueued task on the database backend) commits or rolls
back together with the state change. Receivers must not do slow or external work inline.
``message_posted`` is sent the same way for a new message on a letter.
"""

from __future__ import annotations

from django.dispatch import Signal

letter_event_recorded = Signal()  # kwargs: event (LetterEvent); for "receive", attachments (the files sent with it)
message_posted = Signal()  # kwargs: message (Message)
identity_revealed = Signal()  # kwargs: letter, actor, category, reason — staff saw a writer's full identity
