"""Reads of letters for queues and follow-up views (indexed on unit, state and current_due)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.letters.models import Letter, LetterState
from xinfang.orgs.models import Unit


def open_letters_handled_by(unit: Unit) -> QuerySet[Letter]:
    """Open letters held by ``unit`` or anything under it, as intake or handling unit."""
    held = Q(handling_unit__path__startswith=unit.path) | Q(intake_unit__path__startswith=unit.path)
    return Letter.objects.filter(held, state__in=LetterState.open_states())
