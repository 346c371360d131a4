"""The recusal guarantee, for accusations of any unit anywhere in the tree, whatever rules say."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.routing.conftest import route_letter, unit
from tests.strategies import accused_units, bureau_codes, mailbox_slugs, places, units_under
from xinfang.orgs.choices import OVERSIGHT_POLICE_TYPES, PoliceType
from xinfang.orgs.models import Unit
from xinfang.routing.models import RoutingRule
from xinfang.vocabulary import LetterType

MINISTRY_DEPTH = 1


@st.composite
def rule_targets(draw: st.DrawFn, accused: str) -> str | None:
    """No rule, or a catch-all rule aimed at the accused unit, its bureau or a random bureau."""
    bureau_code = accused.partition("-")[0]
    return draw(st.sampled_from([None, accused, bureau_code, f"{bureau_code}-inspection", *bureau_codes()[:40]]))


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_an_accusation_never_lands_on_or_under_the_accused_bureau(tree: None, data: st.DataObject) -> None:
    accused_code = data.draw(accused_units(), label="accused")
    target = data.draw(rule_targets(accused_code), label="catch-all rule target")
    leadership = data.draw(st.booleans(), label="accuses leadership")
    with transaction.atomic():  # each example leaves no rule and no lazily created department behind
        if target is not None:
            RoutingRule.objects.create(name="catch-all", target=unit(target))
        proposal = route_letter(
            data.draw(st.sampled_from(mailbox_slugs()), label="mailbox"),
            data.draw(places(), label="place"),
            police_type=data.draw(st.sampled_from(["", *PoliceType.values]), label="police type"),
            letter_type=data.draw(st.sampled_from([LetterType.COMPLAINT, LetterType.REPORT]), label="letter type"),
            accused=accused_code,
            leadership=leadership,
        )
        accused_bureau = unit(accused_code).bureau
        check_the_chosen_unit_oversees_from_above(proposal.unit, accused_bureau, leadership=leadership)
        check_allows_rejects_the_whole_subtree(proposal.allows, proposal.unit, accused_bureau)
        assert proposal.recusal_floor == accused_bureau
        transaction.set_rollback(True)


def check_the_chosen_unit_oversees_from_above(chosen: Unit, accused_bureau: Unit, *, leadership: bool) -> None:
    assert chosen.is_department and chosen.police_type in OVERSIGHT_POLICE_TYPES, chosen.code
    if accused_bureau.depth == MINISTRY_DEPTH:  # nobody above the Ministry: its own oversight department
        assert chosen.bureau == accused_bureau
        return
    assert not chosen.is_within(accused_bureau), chosen.code
    assert accused_bureau.is_within(chosen.bureau), chosen.code
    wanted = min(2 if leadership else 1, accused_bureau.depth - MINISTRY_DEPTH)
    assert accused_bureau.depth - chosen.bureau.depth >= wanted, chosen.code


def check_allows_rejects_the_whole_subtree(allows: Callable[[Unit], bool], chosen: Unit, accused_bureau: Unit) -> None:
    assert allows(chosen)
    for inside in units_under(accused_bureau).only("pk", "path", "code"):
        if inside.pk != chosen.pk:
            assert not allows(inside), inside.code
