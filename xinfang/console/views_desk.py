"""Pages of the front desk (受理台): the queue, bulk decisions, the desk's letter page, and revealing an identity.

Every view is a ``staff_page``; each checks its role first (403) and then fetches the letter
through the access policy (404 for a letter the user may not see). The letter page's decisions
are the entries of ``actions.ACTION_TABLE`` on page ``DESK``, run by ``actions.perform``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.accounts import reveal
from xinfang.accounts.models import User
from xinfang.accounts.selectors import writer_identity
from xinfang.console import forms_desk as f
from xinfang.console import services
from xinfang.console.actions import DESK_ACTIONS, DESK_ROLE, availability, perform, safe_next
from xinfang.console.selectors_desk import desk_queue, refusal_notice
from xinfang.console.views_common import Row, staff_user
from xinfang.console.views_suggest import suggestions_context
from xinfang.letters import services as letters
from xinfang.letters.access import (
    accused_undecided_message,
    available_actions,
    letter_for,
    letters_visible_to,
    may_reveal_identity,
)
from xinfang.letters.accusation import AccusedProposal, propose_accused
from xinfang.letters.models import Letter, LetterState, RefusalReason
from xinfang.pages.gates import staff_page
from xinfang.pages.refusals import refusal_to_form
from xinfang.routing.engine import Proposal, propose_for_letter

QUEUE_PAGE_SIZE = 25


# ---------------------------------------------------------------- front desk queue


@staff_page
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """New letters of the unit's mailboxes, the nearest acceptance deadline first."""
    acceptor = staff_user(request, DESK_ROLE)
    page = Paginator(desk_queue(acceptor), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [Row(letter, writer_identity(letter), _proposal_or_none(letter)) for letter in page.object_list]
    context = {"page": page, "rows": rows, "bulk_form": f.BulkForm()}
    return render(request, "console/desk/queue.html", context)


def _proposal_or_none(letter: Letter) -> Proposal | None:
    """Letters waiting for the writer or already with a handler have nothing to route."""
    if letter.state not in (LetterState.RECEIVED, LetterState.ACCEPTED, LetterState.ASSIGNED):
        return None
    return propose_for_letter(letter)


@staff_page
@require_POST
def desk_bulk(request: HttpRequest) -> HttpResponse:
    """One action on many letters; each succeeds or fails on its own, and the page says which
    (``services.letters_bulk_process`` words each refusal with ``pages.refusals.refusal_message``)."""
    acceptor = staff_user(request, DESK_ROLE)
    form = f.BulkForm(request.POST)
    if not form.is_valid():
        page = Paginator(desk_queue(acceptor), QUEUE_PAGE_SIZE).get_page(request.POST.get("page"))
        rows = [Row(letter, writer_identity(letter), _proposal_or_none(letter)) for letter in page.object_list]
        return render(request, "console/desk/queue.html", {"page": page, "rows": rows, "bulk_form": form})
    wanted = form.targets()
    visible = {str(letter.public_id): letter for letter in _visible_letters(acceptor, [pid for pid, _v in wanted])}
    targets = [(visible[pid], version) for pid, version in wanted if pid in visible]
    outcomes = services.letters_bulk_process(
        actor=acceptor,
        targets=targets,
        action=form.cleaned_data["action"],
        refusal_reason=form.cleaned_data.get("refusal_reason") or "",
    )
    missing = len(wanted) - len(targets)
    context = {"outcomes": outcomes, "missing": missing, "action": services.BulkAction(form.cleaned_data["action"])}
    return render(request, "console/desk/bulk_result.html", context)


def _visible_letters(user: User, public_ids: list[str]) -> list[Letter]:
    valid = [pid for pid in public_ids if _is_uuid(pid)]
    return list(letters_visible_to(user).filter(public_id__in=valid).select_related("mailbox", "intake_unit"))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- front-desk letter page


@staff_page
@require_http_methods(["GET", "POST"])
def desk_letter(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """A letter at the front desk: read it, see the routing proposal, and decide."""
    acceptor = staff_user(request, DESK_ROLE)
    letter = letter_for(acceptor, str(public_id))
    failed: tuple[str, Any] | None = None
    conflict = ""
    if request.method == "POST":
        action = DESK_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            raise PermissionDenied
        outcome = perform(request, acceptor, letter, action)
        if outcome.redirect is not None:
            return outcome.redirect
        failed, conflict = (action.slug, outcome.form), outcome.conflict
        letter = letter_for(acceptor, str(public_id))  # what it is now, whatever happened
    return render(request, "console/desk/letter.html", _letter_context(acceptor, letter, failed, conflict))


def _letter_context(acceptor: User, letter: Letter, failed: tuple[str, Any] | None, conflict: str) -> dict[str, Any]:
    offers = available_actions(acceptor, letter)
    steps = [(name, availability(action, offers, acceptor, letter)) for name, action in DESK_ACTIONS.items()]
    offered = [name for name, offer in steps if offer.allowed]
    forms = {name: action.form(letter) for name, action in DESK_ACTIONS.items()}
    if failed is not None:
        forms[failed[0]] = failed[1]
    shown = set(offered) | ({failed[0]} if failed is not None else set())
    # Routing waits for the accused unit to be decided, but the desk still sees where the letter would go.
    waiting = {name for name, offer in steps if offer.reason == accused_undecided_message()}
    proposal = propose_for_letter(letter) if {"transfer", "other_unit"} & (shown | waiting) else None
    if proposal is not None and letter.handling_unit_id == proposal.unit.pk and failed is None:
        shown.discard("transfer")  # it is already where the proposal says: route it further by hand
    accused: AccusedProposal | None = propose_accused(letter) if "accused" in shown else None
    # Why a step that is the desk's turn is not offered (say, a matter concluded after re-examination), once each.
    withheld = list(dict.fromkeys(offer.reason for _name, offer in steps if offer.turn and not offer.allowed))
    return {
        "letter": letter,
        "accused_proposal": accused,
        "accused_undecided": letters.accused_undecided(letter),
        "identity": writer_identity(letter),
        "proposal": proposal,
        "forms": forms,
        "shown": shown,
        "conflict": conflict,
        "withheld": withheld,
        "notices": [(code, label, refusal_notice(letter, code)) for code, label in RefusalReason.choices],
        "events": letter.events.select_related("actor").order_by("-at", "-id")[:10],
        **suggestions_context(acceptor, letter),
    }


# ---------------------------------------------------------------- identity


@staff_page
@require_http_methods(["GET", "POST"])
def identity_reveal(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Reveal a writer's full identity: an explicit POST with a reason, recorded (SPEC §6)."""
    user = request.user
    assert isinstance(user, User)
    letter = letter_for(user, str(public_id))
    if not may_reveal_identity(user, letter):
        raise PermissionDenied
    form = f.RevealForm(request.POST or None)
    identity = writer_identity(letter)
    revealed = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revealed = reveal.identity_reveal(
                letter=letter, actor=user, category=data["category"], reason=data["reason"]
            )
        except ValidationError as exc:
            refusal_to_form(form, exc)  # the category's and the reason's errors go next to their fields
    back = safe_next(request) or reverse("console:home")  # where the reveal came from, if a console page
    context = {"letter": letter, "identity": identity, "form": form, "revealed": revealed, "back": back}
    return render(request, "console/desk/identity.html", context)
