"""Helpers for routing tests: build a request from codes, as an acceptor would see a letter."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for
from xinfang.routing.engine import Proposal, RoutingRequest, propose
from xinfang.vocabulary import LetterType

Route = Callable[..., Proposal]


def unit(code: str) -> Unit:
    """A unit by code; ``440106-traffic`` names a department, created if the county has none yet."""
    bureau_code, _, police_type = code.partition("-")
    bureau = Unit.objects.get(code=bureau_code)
    return department_for(bureau, police_type) if police_type else bureau


def route_letter(
    mailbox: str,
    place: str = "",
    *,
    police_type: str = "",
    letter_type: str = LetterType.INQUIRY,
    accused: str | None = None,
    leadership: bool = False,
    text: str = "",
) -> Proposal:
    """Propose a unit for a letter described by codes: mailbox slug, place, accused unit code."""
    request = RoutingRequest(
        mailbox=Mailbox.objects.select_related("owner").get(slug=mailbox),
        division_code=place,
        police_type=police_type,
        letter_type=letter_type,
        accused_unit=unit(accused) if accused else None,
        accuses_leadership=leadership,
        text=text,
    )
    return propose(request)


@pytest.fixture
def route(tree: None) -> Route:
    return route_letter
