"""Leaders' instructions and inspectors' supervision orders."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.deadlines.policies import Step, due_date
from xinfang.letters.access import (
    instruction_refusal,
    may_answer_for_unit,
    supervision_refusal,
)
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import (
    Instruction,
    Letter,
    SupervisionOrder,
)
from xinfang.letters.services._common import _require_text, _today
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Unit
from xinfang.orgs.services import department_for


def instruction_create(*, letter: Letter, actor: User, text: str, due: dt.date | None = None) -> Instruction:
    """A leader's instruction (批示) that lands on the handler's page."""
    refusal = instruction_refusal(actor, letter)
    if refusal:
        raise LifecycleError(refusal)
    text = _require_text(text, _("批示内容不能为空。"))
    with transaction.atomic():  # the record and what listens to it (notifications) commit together
        return Instruction.objects.create(letter=letter, leader=actor, text=text, due=due, created_at=timezone.now())


def instruction_respond(*, instruction: Instruction, actor: User, text: str) -> Instruction:
    if not may_answer_for_unit(actor, instruction.letter):
        raise LifecycleError(_("只有承办单位的承办人或领导可以回复批示。"))
    text = _require_text(text, _("请填写落实情况。"))
    updated = Instruction.objects.filter(pk=instruction.pk, responded_at__isnull=True).update(
        response=text, responded_by=actor, responded_at=timezone.now()
    )
    if updated != 1:
        raise LifecycleError(_("该批示已经回复。"))
    instruction.refresh_from_db()
    return instruction


def supervision_order_issue(*, letter: Letter, actor: User, text: str, due: dt.date | None) -> SupervisionOrder:
    """An inspector's supervision order (督办) on a letter held under their bureau."""
    refusal = supervision_refusal(actor, letter)
    if refusal or actor.unit is None:
        raise LifecycleError(refusal)
    text = _require_text(text, _("督办要求不能为空。"))
    if due is None or due < _today():
        raise LifecycleError(_("督办期限不能早于今天。"))
    with transaction.atomic():  # the record and what listens to it (notifications) commit together
        return SupervisionOrder.objects.create(
            letter=letter, issuing_unit=actor.unit, issued_by=actor, text=text, due=due, created_at=timezone.now()
        )


def supervision_order_respond(*, order: SupervisionOrder, actor: User, text: str) -> SupervisionOrder:
    if not may_answer_for_unit(actor, order.letter):
        raise LifecycleError(_("只有承办单位的承办人或领导可以回复督办。"))
    text = _require_text(text, _("请填写办理情况。"))
    updated = SupervisionOrder.objects.filter(pk=order.pk, responded_at__isnull=True).update(
        response=text, responded_by=actor, responded_at=timezone.now()
    )
    if updated != 1:
        raise LifecycleError(_("该督办已经回复。"))
    order.refresh_from_db()
    return order


def supervision_raise_automatic(*, letter: Letter, at_unit: Unit, text: str) -> SupervisionOrder | None:
    """An automatic supervision order for the inspection department of ``at_unit``'s bureau, due
    ``Step.SUPERVISION_ANSWER`` (5 working days by default) from today.

    At most one open automatic order per letter (a database constraint keeps it so under races).
    """
    inspection = department_for(at_unit.bureau, PoliceType.INSPECTION)
    due = due_date(Step.SUPERVISION_ANSWER, start=_today(), mailbox=letter.mailbox, letter_type=letter.letter_type).date
    try:
        with transaction.atomic():
            return SupervisionOrder.objects.create(
                letter=letter, issuing_unit=inspection, automatic=True, text=text, due=due, created_at=timezone.now()
            )
    except IntegrityError:
        return None
