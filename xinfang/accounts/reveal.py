"""Revealing a letter writer's full identity: the one write that opens it, checked and recorded (SPEC §6).

Pages show masked identities (``accounts.selectors.writer_identity``); the full identity is shown
only after ``identity_reveal`` has recorded who opened it, for which letter and why.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import IdentityReveal, User
from xinfang.accounts.selectors import writer_identity
from xinfang.letters.access import may_reveal_identity
from xinfang.letters.models import Letter
from xinfang.letters.signals import identity_revealed
from xinfang.text import clean_input, strip_invisible, visible_length

REVEAL_REASON_MIN_VISIBLE = 4


def identity_reveal(*, letter: Letter, actor: User, category: str, reason: str) -> IdentityReveal:
    """Record that ``actor`` opens the full identity of ``letter``'s writer, for ``reason``.

    Refused (PermissionDenied) unless the access policy allows it. The reason is a category from
    ``IdentityReveal.Category`` and an explanation of at least ``REVEAL_REASON_MIN_VISIBLE``
    characters a reader can see: invisible and format characters are stripped first, so a reason
    of zero-width spaces or a bidi override is no reason (ValidationError, keyed by field). An
    identity erased under the retention period has nothing left to reveal (ValidationError). The
    ``identity_revealed`` signal goes out inside the transaction, so the audit chain and this
    row are written together or not at all.
    """
    if not may_reveal_identity(actor, letter):
        raise PermissionDenied
    if writer_identity(letter).erased:
        raise ValidationError(_("信访人身份已按保存期限删除，没有可以查看的内容。"), code="erased")
    if category not in IdentityReveal.Category.values:
        raise ValidationError({"category": _("请选择查看身份的事由。")}, code="category")
    reason = strip_invisible(clean_input(reason)).strip()
    if visible_length(reason) < REVEAL_REASON_MIN_VISIBLE:
        message = _("请具体说明查看身份的理由（至少 %(min)s 个字）。") % {"min": REVEAL_REASON_MIN_VISIBLE}
        raise ValidationError({"reason": message}, code="reason")
    with transaction.atomic():
        reveal = IdentityReveal.objects.create(
            letter=letter, actor=actor, category=category, reason=reason, at=timezone.now()
        )
        identity_revealed.send(sender=IdentityReveal, letter=letter, actor=actor, category=category, reason=reason)
    return reveal
