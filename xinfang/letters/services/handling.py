"""Handling: start, extensions, report-back, draft, approve and send the reply."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.deadlines.policies import Step, limit_for
from xinfang.letters.lifecycle import Action, LifecycleError, ensure_allowed
from xinfang.letters.models import (
    Extension,
    Letter,
)
from xinfang.letters.services._common import _require_text, _step
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import bureau_above, bureau_of


def letter_start_handling(*, letter: Letter, actor: User) -> Letter:
    with transaction.atomic():
        _step(letter, Action.START_HANDLING, actor=actor)
    return letter


def letter_request_extension(*, letter: Letter, actor: User, days: int, reason: str) -> Extension:
    """Ask a leader for more time: once per letter, up to the policy's maximum (30 days by law)."""
    ensure_allowed(letter, Action.REQUEST_EXTENSION, actor=actor)
    reason = _require_text(reason, _("请说明延期理由。"))
    maximum = limit_for(Step.EXTENSION, mailbox=letter.mailbox, letter_type=letter.letter_type).days
    if not 1 <= days <= maximum:
        raise LifecycleError(_("延期天数须在 1 至 %(max)d 天之间。") % {"max": maximum})
    with transaction.atomic():
        _step(letter, Action.REQUEST_EXTENSION, actor=actor, reason=reason, data={"days": days})
        return Extension.objects.create(
            letter=letter, days=days, reason=reason, requested_by=actor, requested_at=timezone.now()
        )


def letter_decide_extension(*, letter: Letter, actor: User, approve: bool, note: str = "") -> Extension:
    """A leader approves (the reply date moves and the citizen is told why) or refuses."""
    ensure_allowed(letter, Action.DECIDE_EXTENSION, actor=actor)
    extension = letter.extensions.filter(status=Extension.Status.PENDING).first()
    if extension is None:  # the guard saw one; a decision in between is a race the update settles
        raise LifecycleError(_("没有待审批的延期申请。"))
    if not approve:
        note = _require_text(note, _("不批准延期时请说明理由。"))
    changes: dict[str, Any] = {"extension_days": extension.days} if approve else {}
    with transaction.atomic():
        _step(
            letter,
            Action.DECIDE_EXTENSION,
            actor=actor,
            reason=extension.reason if approve else note,
            changes=changes,
            data={"approved": approve, "days": extension.days},
            citizen_visible=approve,
        )
        updated = Extension.objects.filter(pk=extension.pk, status=Extension.Status.PENDING).update(
            status=Extension.Status.APPROVED if approve else Extension.Status.REFUSED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_note=note,
        )
        if updated != 1:  # the lifecycle's conditional update already serialises this; belt and braces
            raise LifecycleError(_("该延期申请已被处理。"))
    extension.refresh_from_db()
    return extension


def letter_report_back(*, letter: Letter, actor: User, text: str) -> Letter:
    """For an assigned (交办) letter: the handling unit reports its result to the assigning unit."""
    ensure_allowed(letter, Action.REPORT_BACK, actor=actor)
    text = _require_text(text, _("请填写办理结果。"))
    with transaction.atomic():
        _step(letter, Action.REPORT_BACK, actor=actor, reason=text)
    return letter


def letter_draft_reply(*, letter: Letter, actor: User, text: str) -> Letter:
    text = _require_text(text, _("答复内容不能为空。"))
    with transaction.atomic():
        _step(letter, Action.DRAFT_REPLY, actor=actor, changes={"reply_text": text})
    return letter


def letter_reject_reply(*, letter: Letter, actor: User, note: str) -> Letter:
    note = _require_text(note, _("请写明修改意见。"))
    with transaction.atomic():
        _step(letter, Action.REJECT_REPLY, actor=actor, reason=note)
    return letter


def superior_bureau(unit: Unit) -> Unit:
    """The bureau one level above ``unit``'s bureau (the Ministry is its own superior)."""
    return bureau_above(bureau_of(unit), 1)


def _reply_changes(letter: Letter) -> dict[str, Any]:
    replier = letter.handling_unit or letter.intake_unit
    return {"replied_at": timezone.now(), "review_unit": superior_bureau(replier)}


def letter_approve_reply(*, letter: Letter, actor: User, text: str | None = None) -> Letter:
    """A leader approves the draft (possibly edited) and it goes to the citizen."""
    changes = _reply_changes(letter)
    if text is not None:
        changes["reply_text"] = _require_text(text, _("答复内容不能为空。"))
    with transaction.atomic():
        _step(letter, Action.APPROVE_REPLY, actor=actor, reason=changes.get("reply_text", letter.reply_text),
              changes=changes)  # fmt: skip
    return letter


def letter_reply_directly(*, letter: Letter, actor: User, text: str) -> Letter:
    """The short path for inquiries, suggestions and praise: the front desk answers after accepting."""
    ensure_allowed(letter, Action.REPLY_DIRECTLY, actor=actor)
    text = _require_text(text, _("答复内容不能为空。"))
    with transaction.atomic():
        _step(letter, Action.REPLY_DIRECTLY, actor=actor, reason=text,
              changes={**_reply_changes(letter), "reply_text": text})  # fmt: skip
    return letter
