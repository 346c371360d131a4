"""Signal receivers: each enqueues one fan-out task inside the transaction that sent the signal.

The task row is written by the database task backend on the same connection, so it commits or
rolls back with the change that caused it: a rolled-back change notifies no one. Nothing slow
happens here; the worker works out recipients and wording.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from xinfang.explanations.models import ExplanationRequest
from xinfang.letters.models import Extension, Instruction, LetterEvent, Message, SupervisionOrder
from xinfang.notifications import tasks
from xinfang.notifications.quiet import outward


def _enqueue(source: str) -> None:
    # Inside the sender's transaction (every service) this adds nothing, not even a savepoint: the
    # task row commits or rolls back with the change. A writer in autocommit gets its own transaction.
    with transaction.atomic(savepoint=False):
        tasks.notify_about.enqueue(source, outward=outward())


def on_letter_event(sender: object, event: LetterEvent, **kwargs: Any) -> None:
    _enqueue(f"event:{event.pk}")


def on_message(sender: object, message: Message, **kwargs: Any) -> None:
    if message.kind != Message.Kind.INTERNAL_NOTE:
        _enqueue(f"message:{message.pk}")


def on_extension_saved(sender: object, instance: Extension, created: bool, **kwargs: Any) -> None:
    if created and instance.status == Extension.Status.PENDING:
        _enqueue(f"extension:{instance.pk}")


def on_instruction_saved(sender: object, instance: Instruction, created: bool, **kwargs: Any) -> None:
    if created:
        _enqueue(f"instruction:{instance.pk}")


def on_supervision_saved(sender: object, instance: SupervisionOrder, created: bool, **kwargs: Any) -> None:
    if created:
        _enqueue(f"supervision:{instance.pk}")


def on_explanation_requested(sender: object, request: ExplanationRequest, **kwargs: Any) -> None:
    _enqueue(f"explanation:{request.pk}")


def on_explanation_answered(sender: object, request: ExplanationRequest, **kwargs: Any) -> None:
    _enqueue(f"explanation_answer:{request.pk}")
