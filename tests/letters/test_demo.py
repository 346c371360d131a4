from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from xinfang.letters.lifecycle import TRANSITIONS, Action
from xinfang.letters.models import Letter, LetterEvent, LetterState

pytestmark = pytest.mark.django_db


def test_demo_letters_go_through_the_real_lifecycle(tree: None) -> None:
    out = StringIO()
    call_command("seed_demo", "--letters", "90", stdout=out)
    assert "demo letters: 90" in out.getvalue()
    letters = Letter.objects.all()
    assert letters.count() == 90
    states = set(letters.values_list("state", flat=True))
    assert {LetterState.RECEIVED, LetterState.REPLIED} <= states | {LetterState.RECEIVED}
    assert len(states) >= 5, states
    # Every recorded step is one the transition table allows.
    for event in LetterEvent.objects.exclude(action__in=["receive", "link_repeat"]):
        transition = TRANSITIONS[Action(event.action)]
        assert event.from_state in transition.sources
        assert event.to_state in (transition.targets or {event.from_state})
    # Letters were received over past months, not all today.
    days = {d.date() for d in letters.values_list("received_at", flat=True)}
    assert len(days) > 30
