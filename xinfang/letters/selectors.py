"""Reads of letters for queues and follow-up views (indexed on unit, state and current_due)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.letters.models import Letter, LetterState
from xinfang.orgs.models import Unit


def open_letters_handled_by(unit: Unit) -> QuerySet[Letter]:
    """Open letters held by ``unit`` or anything under it, as intake or handling unit."""
    held = Q(handling_unit__path__startswith=unit.path) | Q(intake_unit__path__startswith=unit.path)
    return Letter.objects.filter(held, state__in=LetterState.open_states())


def distinct_matters(qs: QuerySet[Letter]) -> QuerySet[Letter]:
    """Letters counted once per matter: a repeat letter (linked to an earlier one) is not counted again."""
    return qs.filter(repeat_of__isnull=True)


def acceptor_queue(unit: Unit) -> QuerySet[Letter]:
    """New letters at a unit's front desk, oldest acceptance deadline first."""
    return Letter.objects.filter(
        intake_unit=unit.bureau, handling_unit__isnull=True, state__in=[LetterState.RECEIVED, LetterState.ACCEPTED]
    ).order_by("current_due", "received_at")


def handler_queue(unit: Unit) -> QuerySet[Letter]:
    """Letters a unit's bureau handles now (itself or its departments), by due date."""
    bureau = unit.bureau
    return Letter.objects.filter(
        Q(handling_unit=bureau) | Q(handling_unit__bureau_of_department=bureau),
        state__in=[LetterState.ASSIGNED, LetterState.IN_HANDLING, LetterState.REPLY_DRAFTED],
    ).order_by("current_due", "received_at")
