"""The desk letter page's pre-dispatch panel: what the text suggests, and accepting it in one click.

Kept apart from ``views_desk`` (the page's other decisions): ``suggestions_context`` is merged into
the page's context, and ``desk_apply_suggestions`` is the panel's one POST.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role, User
from xinfang.analysis.suggest import PreDispatch, pre_dispatch
from xinfang.console import services
from xinfang.errors import Refused
from xinfang.letters import services as letters
from xinfang.letters.access import letter_for, may_perform
from xinfang.letters.lifecycle import TRANSITIONS, Action
from xinfang.letters.models import Letter
from xinfang.pages.gates import staff_page
from xinfang.pages.refusals import refusal_message
from xinfang.routing.engine import Proposal, propose_for_letter


@dataclass(frozen=True)
class Panel:
    """The suggestions, what accepting them would fill, and the routing proposal that would follow."""

    found: PreDispatch
    division_code: str  # "" when the letter has a place already, or none is suggested
    police_type: str
    proposal: Proposal | None

    @property
    def fills(self) -> bool:
        return bool(self.division_code or self.police_type)


def suggestions_context(acceptor: User, letter: Letter) -> dict[str, Any]:
    """``{"pre_dispatch": Panel | None}`` for the desk letter page."""
    if not may_perform(acceptor, letter, TRANSITIONS[Action.APPLY_SUGGESTIONS]):
        return {"pre_dispatch": None}
    found = pre_dispatch(letter)
    division = found.place.value if found.place and not letter.division_code else ""
    police_type = found.police_type.value if found.police_type and not letter.police_type else ""
    proposal = None
    if division or police_type:
        proposed = copy.copy(letter)  # not saved: the proposal as it would be once accepted
        proposed.division_code = division or letter.division_code
        proposed.police_type = police_type or letter.police_type
        proposal = propose_for_letter(proposed)
    return {"pre_dispatch": Panel(found, division, police_type, proposal)}


@staff_page
@require_POST
def desk_apply_suggestions(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Fill the letter's blank place and police type with the suggestions the acceptor saw."""
    user = request.user
    if not isinstance(user, User) or not user.has_role(Role.ACCEPTOR):
        raise PermissionDenied
    letter = letter_for(user, str(public_id))
    try:
        services.ensure_fresh(letter, int(request.POST.get("version", "-1") or -1))
        letters.letter_apply_suggestions(
            letter=letter,
            actor=user,
            division_code=request.POST.get("division_code", "").strip()[:12],
            police_type=request.POST.get("police_type", "").strip()[:20],
        )
    except (Refused, ValueError) as exc:
        messages.error(request, refusal_message(exc) if isinstance(exc, Refused) else _("请求无效，请刷新后再试。"))
    else:
        messages.success(request, _("已采纳系统建议的事发地、警种。请核对新的承办建议。"))
    return redirect("console:desk_letter", public_id=letter.public_id)
