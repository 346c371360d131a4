"""Routing and access agree on recusal (issue 14 §2): whatever unit is accused, the staff of the
unit routing proposes can see and act on the letter, and no one inside the recusal subtree can."""

from __future__ import annotations

import random

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import make_staff
from tests.routing.conftest import unit
from tests.strategies import accused_units, mailbox_slugs, units_under
from xinfang.accounts.models import Role, User
from xinfang.letters import access
from xinfang.letters.lifecycle import TRANSITIONS, Action
from xinfang.letters.models import Letter, LetterState
from xinfang.letters.services import letter_submit
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.recusal import recusal_exception, recusal_floor
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import Channel, LetterType

ROLES = (Role.ACCEPTOR, Role.HANDLER, Role.LEADER)


def _letter(citizen: User, mailbox_slug: str, accused: Unit, letter_type: str) -> Letter:
    mailbox = Mailbox.objects.select_related("owner").get(slug=mailbox_slug)
    if letter_type not in mailbox.letter_types:
        letter_type = LetterType.COMPLAINT
    return letter_submit(
        mailbox=mailbox,
        actor=citizen,
        letter_type=letter_type,
        channel=Channel.WEB,
        subject="反映民警违纪",
        text="该单位民警在执法中存在违纪行为。",
        accused_unit=accused,
    ).letter


def _handled_at(letter: Letter, holder: Unit) -> Letter:
    """The letter as if the desk had transferred it to ``holder`` (the desk's own rules are tested elsewhere)."""
    Letter.objects.filter(pk=letter.pk).update(state=LetterState.ASSIGNED, handling_unit=holder, owing_unit=holder)
    letter.refresh_from_db()
    return letter


def _mailboxes() -> st.SearchStrategy[str]:
    return st.deferred(lambda: st.sampled_from(mailbox_slugs()))  # drawn once the tree is loaded


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    accused_code=st.deferred(accused_units),
    mailbox=_mailboxes(),
    letter_type=st.sampled_from([LetterType.COMPLAINT, LetterType.REPORT]),
)
@example(accused_code="MPS-exit_entry", mailbox="12389", letter_type=LetterType.REPORT)  # its discipline dept handles
@example(accused_code="MPS-discipline", mailbox="12389", letter_type=LetterType.COMPLAINT)  # its inspection dept
@example(accused_code="MPS", mailbox="gd", letter_type=LetterType.REPORT)
def test_the_proposed_unit_sees_and_acts_and_the_recusal_subtree_never_does(
    tree: None, citizen: User, accused_code: str, mailbox: str, letter_type: str
) -> None:
    with transaction.atomic():
        accused = unit(accused_code)
        letter = _letter(citizen, mailbox, accused, letter_type)
        desk = make_staff("desk", letter.intake_unit, *ROLES)
        assert access.letter_for(desk, letter.public_id) == letter
        assert access.may_perform(desk, letter, TRANSITIONS[Action.ACCEPT])

        proposed = propose_for_letter(letter).unit
        letter = _handled_at(letter, proposed)
        holder = make_staff("holder", proposed, *ROLES)
        assert access.letter_for(holder, letter.public_id) == letter
        assert access.may_perform(holder, letter, TRANSITIONS[Action.START_HANDLING])

        exception = recusal_exception(accused)
        inside = [u for u in units_under(recusal_floor(accused)) if exception is None or not u.is_within(exception)]
        for n, where in enumerate(random.Random(letter.pk).sample(inside, min(4, len(inside)))):
            recused = make_staff(f"recused-{n}", where, *ROLES, Role.INSPECTOR)
            assert access.is_recused(recused, letter), where.code
            assert not access.letters_visible_to(recused).filter(pk=letter.pk).exists(), where.code
            assert not access.letters_owed_under_visible_to(recused).filter(pk=letter.pk).exists(), where.code
            assert not access.may_reveal_identity(recused, letter), where.code
        transaction.set_rollback(True)
