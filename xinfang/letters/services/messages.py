"""Messages between the writer and the staff on a letter."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.letters.access import (
    letters_visible_to,
    may_post_message,
)
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import (
    Letter,
    Message,
)
from xinfang.letters.services._common import _require_text
from xinfang.letters.signals import message_posted
from xinfang.text import clean_input

MESSAGE_MAX_LENGTH = 5000


def message_post(*, letter: Letter, actor: User, kind: str, text: str) -> Message:
    """Post a message on a letter: the citizen to the handler, the handler to the citizen, or an
    internal note that the citizen never sees. Messages do not change the letter's state."""
    if kind not in Message.Kind.values:
        raise ValueError(f"unknown message kind {kind!r}")
    text = _require_text(clean_input(text), _("留言内容不能为空。"))
    if len(text) > MESSAGE_MAX_LENGTH:
        raise LifecycleError(_("留言不能超过 %(max)s 字。") % {"max": MESSAGE_MAX_LENGTH})
    if not may_post_message(actor, letter, kind):
        raise LifecycleError(_("您不能在这封信上留言。"))
    with transaction.atomic():
        message = Message.objects.create(letter=letter, kind=kind, author=actor, text=text)
        message_posted.send(sender=Message, message=message)
    return message


def messages_mark_read(*, letter: Letter, actor: User) -> int:
    """Mark as read the messages addressed to ``actor``'s side of the conversation."""
    if actor.is_citizen:
        if letter.citizen_id != actor.pk:
            return 0
        incoming = Message.Kind.TO_CITIZEN
    else:
        if not letters_visible_to(actor).filter(pk=letter.pk).exists():
            return 0
        incoming = Message.Kind.FROM_CITIZEN
    return Message.objects.filter(letter=letter, kind=incoming, read_at__isnull=True).update(read_at=timezone.now())
