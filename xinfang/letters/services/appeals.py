"""After the reply: the writer's evaluation, review and re-examination, and linking a repeat letter."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.letters.access import (
    letters_visible_to,
)
from xinfang.letters.lifecycle import Action, LifecycleError, ensure_allowed
from xinfang.letters.models import (
    Letter,
    Rating,
)
from xinfang.letters.services._common import _require_text, _step
from xinfang.letters.services.handling import superior_bureau


def letter_evaluate(*, letter: Letter, actor: User, rating: str, comment: str = "") -> Letter:
    ensure_allowed(letter, Action.EVALUATE, actor=actor)
    if rating not in Rating.values:
        raise LifecycleError(_("请选择满意、基本满意或不满意。"))
    with transaction.atomic():
        _step(letter, Action.EVALUATE, actor=actor, reason=comment, changes={"rating": rating},
              data={"rating": rating})  # fmt: skip
    return letter


def letter_request_review(*, letter: Letter, actor: User, reason: str) -> Letter:
    """复查: within 30 days of the reply, to the superior of the unit that replied."""
    ensure_allowed(letter, Action.REQUEST_REVIEW, actor=actor)
    reason = _require_text(reason, _("请说明申请复查的理由。"))
    with transaction.atomic():
        _step(letter, Action.REQUEST_REVIEW, actor=actor, reason=reason,
              changes={"review_requested_at": timezone.now()})  # fmt: skip
    return letter


def letter_answer_review(*, letter: Letter, actor: User, text: str) -> Letter:
    ensure_allowed(letter, Action.ANSWER_REVIEW, actor=actor)
    text = _require_text(text, _("复查意见不能为空。"))
    reexam_unit = superior_bureau(letter.review_unit) if letter.review_unit is not None else None
    with transaction.atomic():
        _step(
            letter,
            Action.ANSWER_REVIEW,
            actor=actor,
            reason=text,
            changes={
                "review_answer": text,
                "review_answered_at": timezone.now(),
                "reexam_unit": reexam_unit,
            },
        )
    return letter


def letter_request_reexam(*, letter: Letter, actor: User, reason: str) -> Letter:
    """复核: within 30 days of the review answer, to the next superior."""
    ensure_allowed(letter, Action.REQUEST_REEXAM, actor=actor)
    reason = _require_text(reason, _("请说明申请复核的理由。"))
    with transaction.atomic():
        _step(letter, Action.REQUEST_REEXAM, actor=actor, reason=reason,
              changes={"reexam_requested_at": timezone.now()})  # fmt: skip
    return letter


def letter_answer_reexam(*, letter: Letter, actor: User, text: str) -> Letter:
    """The re-examination answer concludes the matter: the same request is not accepted again."""
    text = _require_text(text, _("复核意见不能为空。"))
    with transaction.atomic():
        _step(letter, Action.ANSWER_REEXAM, actor=actor, reason=text,
              changes={"reexam_answer": text, "finished_at": timezone.now()})  # fmt: skip
    return letter


def letter_link_repeat(*, letter: Letter, earlier: Letter, actor: User) -> Letter:
    """Link a repeat letter (same writer, same matter) to the earlier one: answered together, counted once."""
    ensure_allowed(letter, Action.LINK_REPEAT, actor=actor)
    if letter.pk == earlier.pk or letter.citizen_id is None or letter.citizen_id != earlier.citizen_id:
        raise LifecycleError(_("只能关联同一信访人的另一封信件。"))
    if earlier.repeat_of_id == letter.pk:
        raise LifecycleError(_("不能相互关联。"))
    if not letters_visible_to(actor).filter(pk=earlier.pk).exists():
        raise LifecycleError(_("只能关联同一信访人的另一封信件。"))
    with transaction.atomic():
        _step(
            letter,
            Action.LINK_REPEAT,
            actor=actor,
            changes={"repeat_of": earlier},
            data={"earlier": earlier.tracking_number},
        )
    return letter
