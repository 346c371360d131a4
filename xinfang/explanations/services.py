"""Writes for explanation requests: ask, answer, withdraw.

Each is atomic and writes its audit row in the same transaction; asking and answering also send
their signal there (notifications queue their fan-out on it, so a rolled-back request tells no
one). Who may do what is decided in ``letters.access``. Answer and withdrawal are conditional
updates on an open request, so of two people acting at once exactly one wins and the other gets
``Conflict``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.analysis import identifying
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.explanations.models import ExplanationRequest
from xinfang.explanations.signals import explanation_answered, explanation_requested
from xinfang.letters.access import (
    may_answer_explanation,
    may_request_explanation,
    may_withdraw_explanation,
    owing_unit,
)
from xinfang.letters.lifecycle import Conflict, LifecycleError
from xinfang.letters.models import Letter

Status = ExplanationRequest.Status


def explanation_request_create(
    *, letter: Letter, extract: str, questions: str, due_on: dt.date, actor: User
) -> ExplanationRequest:
    """Ask the accused unit of ``letter`` for its account.

    Refuses (``ValidationError`` on the field) an extract or questions in which
    ``analysis.identifying.leaks`` finds anything: the writer's name, phone, ID number, the tracking
    number or query code, anyone's ID, phone or card number …, in any spelling. Both texts reach
    the accused bureau's leaders, so an edit of the prefilled extract, or a question that quotes
    the writer, cannot leak what the redaction had masked.
    """
    if not may_request_explanation(actor, letter) or letter.accused_unit is None:
        raise LifecycleError(
            _("只有承办单位的承办人或领导可以请被反映单位说明情况，且信件须尚未办结、填有被反映单位。")
        )
    extract, questions = extract.strip(), questions.strip()
    _check_request(letter, extract, questions, due_on)
    with transaction.atomic():
        request = ExplanationRequest.objects.create(
            letter=letter,
            requested_by=actor,
            requesting_unit=owing_unit(letter),
            accused_bureau=letter.accused_unit.bureau,
            extract=extract,
            questions=questions,
            due_on=due_on,
            created_at=timezone.now(),
        )
        _audit(request, actor, "explanation_request", due_on=due_on.isoformat())
        explanation_requested.send(sender=ExplanationRequest, request=request)
    return request


def _check_request(letter: Letter, extract: str, questions: str, due_on: dt.date) -> None:
    errors: dict[str, str] = {}
    sensitive = identifying.sensitive_of(letter)  # the writer's identity is decrypted once for both texts
    if not extract:
        errors["extract"] = _("请填写发给被反映单位的情况摘录。")
    elif found := identifying.mask(extract, sensitive)[1]:
        errors["extract"] = _(
            "摘录中仍有可能让被反映单位知道信访人是谁的内容（%(kinds)s）。请删除，或改为“%(mask)s”后再提交。"
        ) % {"kinds": identifying.describe(found), "mask": identifying.MASK}
    if not questions:
        errors["questions"] = _("请写明需要被反映单位说明的问题。")
    elif found := identifying.mask(questions, sensitive)[1]:
        errors["questions"] = _(
            "问题中有可能让被反映单位知道信访人是谁的内容（%(kinds)s）。被反映单位会看到这些问题，请删除后再提交。"
        ) % {"kinds": identifying.describe(found)}
    if due_on < timezone.localdate():
        errors["due_on"] = _("说明期限不能早于今天。")
    if errors:
        raise ValidationError(errors)


def explanation_respond(*, request: ExplanationRequest, response: str, actor: User) -> ExplanationRequest:
    """The accused bureau's account: once; a second answer, or one after withdrawal, is a ``Conflict``."""
    if not may_answer_explanation(actor, request):
        raise LifecycleError(_("只有被反映单位的领导可以答复说明请求。"))
    response = response.strip()
    if not response:
        raise ValidationError({"response": _("请填写情况说明。")})
    with transaction.atomic():
        updated = ExplanationRequest.objects.filter(pk=request.pk, status=Status.OPEN).update(
            status=Status.ANSWERED, response=response, responded_by=actor, responded_at=timezone.now()
        )
        if updated != 1:
            raise Conflict(_closed_message(request, answering=True))
        _audit(request, actor, "explanation_respond")
        explanation_answered.send(sender=ExplanationRequest, request=request)
    request.refresh_from_db()
    return request


def explanation_withdraw(*, request: ExplanationRequest, actor: User) -> ExplanationRequest:
    """The asking unit takes back an unanswered request; the accused side no longer sees it."""
    if not may_withdraw_explanation(actor, request):
        raise LifecycleError(_("只有提出请求的单位可以撤回说明请求。"))
    with transaction.atomic():
        updated = ExplanationRequest.objects.filter(pk=request.pk, status=Status.OPEN).update(
            status=Status.WITHDRAWN, withdrawn_by=actor, withdrawn_at=timezone.now()
        )
        if updated != 1:
            raise Conflict(_closed_message(request, answering=False))
        _audit(request, actor, "explanation_withdraw")
    request.refresh_from_db()
    return request


def _closed_message(request: ExplanationRequest, *, answering: bool) -> str:
    status = ExplanationRequest.objects.filter(pk=request.pk).values_list("status", flat=True).first()
    if not answering:
        return _("被反映单位已经答复或请求已被撤回，不能再撤回。")
    if status == Status.WITHDRAWN:
        return _("请求单位已撤回这份说明请求，您填写的内容没有提交。")
    return _("这份说明请求已经有人答复（见下方），您填写的内容没有提交。")


def _audit(request: ExplanationRequest, actor: User, action: str, **extra: str) -> None:
    """The letter is named by its tracking number, as for its timeline rows; no text goes into the log."""
    audit_record(
        kind=AuditKind.STATE_CHANGE,
        actor=actor,
        subject=request,
        data={
            "action": action,
            "tracking_number": request.letter.tracking_number,
            "accused_bureau": request.accused_bureau.code,
            **extra,
        },
    )
