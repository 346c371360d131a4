"""Pages of the telephone seats (来电登记) and the front desk (受理台), and revealing an identity.

Every view is a ``staff_page``; each checks its role first (403) and then fetches the letter
through the access policy (404 for a letter the user may not see).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.accounts import reveal
from xinfang.accounts.models import Role, User
from xinfang.accounts.selectors import WriterIdentity, citizen_identity, writer_identity
from xinfang.analysis.emergency import emergency_words
from xinfang.console import forms_desk as f
from xinfang.console import services
from xinfang.console.selectors_desk import caller_citizen, desk_queue, normalise_phone, refusal_notice, seat_mailboxes
from xinfang.console.views_suggest import suggestions_context
from xinfang.letters import services as letters
from xinfang.letters.access import (
    GUARDS,
    Availability,
    accused_undecided_message,
    available_actions,
    letter_for,
    letter_for_its_registrar,
    letters_visible_to,
    may_reveal_identity,
)
from xinfang.letters.accusation import AccusedProposal, propose_accused
from xinfang.letters.lifecycle import Action, Conflict, LifecycleError
from xinfang.letters.models import Letter, LetterState, RefusalReason
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox
from xinfang.orgs.selectors import divisions_matching, units_matching
from xinfang.pages.gates import staff_page
from xinfang.pages.receipts import receipt_download
from xinfang.routing.engine import Proposal, propose_for_letter
from xinfang.vocabulary import Channel

QUEUE_PAGE_SIZE = 25
REGISTERED_SESSION_KEY = "console_call_registered"


def staff_user(request: HttpRequest, role: str) -> User:
    """The signed-in staff user, who must hold ``role`` (403 otherwise)."""
    user = request.user
    if not isinstance(user, User) or not user.has_role(role):
        raise PermissionDenied
    return user


@dataclass(frozen=True)
class Row:
    """A letter in a list, with its writer masked (and, at the front desk, the routing proposal)."""

    letter: Letter
    writer: WriterIdentity
    proposal: Proposal | None = None

    @property
    def days_left(self) -> int | None:
        due = self.letter.current_due
        return None if due is None else (due - timezone.localdate()).days

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= settings.XINFANG_DUE_SOON_DAYS

    @property
    def days_overdue(self) -> int:
        return -(self.days_left or 0)


# ---------------------------------------------------------------- telephone seat


@staff_page
@require_http_methods(["GET", "POST"])
def call(request: HttpRequest) -> HttpResponse:
    """The screen-pop page: the number is posted (``action=lookup``), the caller's earlier letters
    come back with the registration form; any other POST registers the call.

    The number never travels in a URL, where access logs and browser history would keep it: a GET
    with ``?number=`` (an old telephony link) is sent to the empty page, which says why (docs/operations.md).
    Each look-up goes through ``services.caller_look_up`` (limited, scoped, audited), including
    the caller panel shown again beside a registration that failed.
    """
    agent = staff_user(request, Role.SEAT_AGENT)
    mailboxes = seat_mailboxes(agent)
    if request.method == "GET":
        if "number" in request.GET:  # not looked up; and the page's own links must not carry it on
            messages.warning(request, _("来电号码不能放在网址中，本次没有查询。请在上面输入号码后按回车查询。"))
            return redirect("console:call")
        form = f.CallForm(initial={"caller": f.CallerKind.NEW}, mailboxes=mailboxes, citizen=None)
        return _call_page(request, form, mailboxes, None, lookup_form=f.CallerLookupForm())
    if request.POST.get("action") == "lookup":
        lookup_form = f.CallerLookupForm(request.POST)
        found = _look_up(agent, lookup_form)
        number = lookup_form.cleaned_data.get("number", "") if found is not None else ""
        caller = f.CallerKind.EXISTING if found is not None and found.citizen is not None else f.CallerKind.NEW
        initial = {"number": number, "phone": number, "caller": caller}
        form = f.CallForm(initial=initial, mailboxes=mailboxes, citizen=found.citizen if found else None)
        return _call_page(request, form, mailboxes, found, lookup_form=lookup_form)
    number = normalise_phone(request.POST.get("number", ""))
    form = f.CallForm(request.POST, mailboxes=mailboxes, citizen=caller_citizen(agent, number))
    if form.is_valid():
        response = _register_call(request, agent, form, number)
        if response is not None:
            return response
    lookup_form = f.CallerLookupForm({"number": number} if number else None)
    found = _look_up(agent, lookup_form) if number else None
    return _call_page(request, form, mailboxes, found, lookup_form=lookup_form)


def _look_up(agent: User, lookup_form: f.CallerLookupForm) -> services.CallerLookup | None:
    """The caller on the form's number (None, with the error on the form, if it cannot be looked up)."""
    if not lookup_form.is_valid():
        return None
    try:
        return services.caller_look_up(actor=agent, number=lookup_form.cleaned_data["number"])
    except ValidationError as exc:
        lookup_form.add_error(None, exc)
        return None


def _call_page(
    request: HttpRequest,
    form: f.CallForm,
    mailboxes: list[Mailbox],
    found: services.CallerLookup | None,
    *,
    lookup_form: f.CallerLookupForm,
) -> HttpResponse:
    if found is None:  # keyboard first: the number, then (once looked up) the form's subject
        lookup_form.fields["number"].widget.attrs["autofocus"] = True
    context = {
        "form": form,
        "lookup_form": lookup_form,
        "looked_up": found is not None,
        "caller": writer_identity_of(found.citizen if found else None),
        "earlier": [Row(letter, writer_identity(letter)) for letter in found.letters] if found else [],
        "mailboxes": mailboxes,
        "police_types": PoliceType.choices,
    }
    return render(request, "console/desk/call.html", context)


def writer_identity_of(citizen: User | None) -> WriterIdentity | None:
    """The masked identity of a caller found by their number (a letter-less WriterIdentity)."""
    identity = citizen_identity(citizen) if citizen is not None else None
    if identity is None:
        return None
    return WriterIdentity(identity.real_name, identity.phone, identity.id_number, "", anonymous=False)


def _register_call(request: HttpRequest, agent: User, form: f.CallForm, number: str) -> HttpResponse | None:
    """Register the letter, text the receipt, and go to the page that reads it out (None: errors added)."""
    data = form.cleaned_data
    kind = data["caller"]
    fields = {
        "letter_type": data["letter_type"],
        "channel": Channel.TELEPHONE,
        "subject": data["subject"],
        "text": data["text"],
        "division_code": data["place"],
        "address": data["address"],
        "police_type": data["police_type"],
        "accused_unit": data["accused_unit"],
        "accused_officer_name": data["accused_officer_name"],
        "accused_badge_number": data["accused_badge_number"],
        "accused_officer_post": data["accused_officer_post"],
        "accuses_leadership": data["accuses_leadership"],
    }
    caller: dict[str, Any] = {}
    if kind == f.CallerKind.EXISTING:
        caller["citizen"] = form.citizen
    elif kind == f.CallerKind.NEW:
        caller["new_citizen"] = services.NewCitizen(data["real_name"].strip(), data["id_number"], data["phone"])
    else:
        caller["anonymous_phone"] = number
    try:
        submission = services.call_register(actor=agent, mailbox=data["mailbox"], fields=fields, **caller)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    except LifecycleError as exc:
        form.add_error(None, str(exc))
        return None
    sms_to = data["phone"] if kind == f.CallerKind.NEW else number
    sent = bool(data["send_sms"] and sms_to) and services.call_receipt_send(submission=submission, number=sms_to)
    letter = submission.letter
    request.session[REGISTERED_SESSION_KEY] = {
        **_receipt(letter),
        "query_code": submission.query_code,
        "sms": "sent" if sent else ("failed" if data["send_sms"] and sms_to else "not_asked"),
    }
    return redirect("console:call_registered", public_id=letter.public_id)


@staff_page
@require_GET
def call_registered(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The tracking number and query code to read out. The code is shown once: it is stored only hashed.

    Right after registering, the page is read from the session: a call accusing the agent's own
    bureau is received above it (recusal), and the agent must still read out its number.
    """
    agent = staff_user(request, Role.SEAT_AGENT)
    pending = request.session.get(REGISTERED_SESSION_KEY) or {}
    if pending.get("letter") == str(public_id):
        receipt = request.session.pop(REGISTERED_SESSION_KEY)
    else:
        receipt = _receipt(letter_for(agent, str(public_id)))
    return render(request, "console/desk/call_registered.html", {"receipt": receipt})


@staff_page
@require_GET
def call_receipt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The caller's receipt from the transparency log (JSON, the same the portal gives a writer): for the
    seat who registered the call, or staff who may see the letter."""
    user = request.user
    assert isinstance(user, User)  # staff_page let the request through
    return receipt_download(letter_for_its_registrar(user, str(public_id)))


def _receipt(letter: Letter) -> dict[str, str]:
    """What the registered-call page shows of a letter (the writer masked)."""
    writer = writer_identity(letter)
    return {
        "letter": str(letter.public_id),
        "tracking_number": letter.tracking_number,
        "masked_name": writer.masked_name,
        "masked_phone": writer.masked_phone,
        "mailbox": letter.mailbox.display_name,
        "subject": letter.subject,
    }


@staff_page
@require_POST
def call_emergency_check(request: HttpRequest) -> JsonResponse:
    """Flag an emergency while the agent types (the same check the form makes on submit)."""
    staff_user(request, Role.SEAT_AGENT)
    return JsonResponse({"signals": emergency_words(request.POST.get("text", "")[: f.TEXT_MAX])})


# ---------------------------------------------------------------- type-ahead


@staff_page
@require_GET
def lookup_divisions(request: HttpRequest) -> JsonResponse:
    options = [
        {"value": f"{u.division_code} {u.division_display}", "label": u.display_name}
        for u in divisions_matching(request.GET.get("q", "")[:40])
    ]
    return JsonResponse({"options": options})


@staff_page
@require_GET
def lookup_units(request: HttpRequest) -> JsonResponse:
    """Units by name or code; ``scope=under`` keeps to the user's own bureau and below (transfers)."""
    user = request.user
    assert isinstance(user, User)
    within = None
    if request.GET.get("scope") == "under":
        if user.unit is None:
            return JsonResponse({"options": []})
        within = user.unit.bureau
    units = units_matching(request.GET.get("q", "")[:40], within=within)
    return JsonResponse({"options": [{"value": f"{u.code} {u.display_name}", "label": u.code} for u in units]})


# ---------------------------------------------------------------- front desk queue


@staff_page
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """New letters of the unit's mailboxes, the nearest acceptance deadline first."""
    acceptor = staff_user(request, Role.ACCEPTOR)
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
    """One action on many letters; each succeeds or fails on its own, and the page says which."""
    acceptor = staff_user(request, Role.ACCEPTOR)
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


Handler = Callable[[Letter, User, dict[str, Any], Proposal], str]


def _accept(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    letters.letter_accept(letter=letter, actor=actor)
    return _("已受理。请转办或交办。")


def _refuse(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    notice = data["notice"].strip() or refusal_notice(letter, data["reason"])
    letters.letter_refuse(letter=letter, actor=actor, reason=data["reason"], text=notice)
    return _("已不予受理，并出具书面告知。")


def _refer(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    letters.letter_refer(letter=letter, actor=actor, organ=data["organ"], text=data["text"])
    return _("已告知信访人向有权机关提出。")


def _emergency(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    letters.letter_redirect_emergency(letter=letter, actor=actor, note=data["note"])
    return _("已转 110 紧急处置。")


def _clear_emergency(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    letters.letter_clear_emergency_flag(letter=letter, actor=actor)
    return _("已解除紧急情况提示。")


def _request_info(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    letters.letter_request_info(letter=letter, actor=actor, reason=data["reason"])
    return _("已要求信访人补充材料。")


def _transfer(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    services.letter_accept_and_assign(letter=letter, actor=actor, unit=proposal.unit, mode=data["mode"])
    return _("已转至%(unit)s。") % {"unit": proposal.unit}


def _other_unit(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    unit = data["unit"]
    services.letter_accept_and_assign(letter=letter, actor=actor, unit=unit, mode=data["mode"], reason=data["reason"])
    return _("已转至%(unit)s。") % {"unit": unit}


def _accused(letter: Letter, actor: User, data: dict[str, Any], proposal: Proposal) -> str:
    unit = data["accused_unit"]
    letters.letter_set_accused(letter=letter, actor=actor, accused_unit=unit, reason=data["reason"])
    if unit is None:
        return _("已认定：不涉及公安机关。请转办或交办。")
    return _("已认定被反映单位：%(unit)s。请转办或交办。") % {"unit": unit}


# name → (form class, what it does, whether the acceptor stays on the letter afterwards)
ACTIONS: dict[str, tuple[type[f.DeskActionForm], Handler, bool]] = {
    "accused": (f.AccusedForm, _accused, True),
    "accept": (f.DeskActionForm, _accept, True),
    "refuse": (f.RefuseForm, _refuse, False),
    "refer": (f.ReferForm, _refer, False),
    "emergency": (f.EmergencyForm, _emergency, False),
    "clear_emergency": (f.DeskActionForm, _clear_emergency, True),
    "request_info": (f.RequestInfoForm, _request_info, False),
    "transfer": (f.TransferForm, _transfer, False),
    "other_unit": (f.OtherUnitForm, _other_unit, False),
}
# The lifecycle step behind each front-desk action (routing a letter not yet accepted accepts it first).
STEPS = {
    "accused": Action.SET_ACCUSED,
    "accept": Action.ACCEPT,
    "refuse": Action.REFUSE,
    "refer": Action.REFER,
    "emergency": Action.REDIRECT_EMERGENCY,
    "clear_emergency": Action.CLEAR_EMERGENCY_FLAG,
    "request_info": Action.REQUEST_INFO,
    "transfer": Action.ASSIGN,
    "other_unit": Action.ASSIGN,
}


def _desk_steps(user: User, letter: Letter) -> list[tuple[str, Availability]]:
    offers = available_actions(user, letter)
    result = []
    for name, step in STEPS.items():
        offer = offers[step]
        if step == Action.ASSIGN and letter.state == LetterState.RECEIVED:
            offer = _accept_then_assign(offers[Action.ACCEPT], letter, user)
        result.append((name, offer))
    return result


def _accept_then_assign(accept: Availability, letter: Letter, user: User) -> Availability:
    """Routing a letter not yet accepted accepts it first and then assigns it: both must be allowed."""
    refusal = GUARDS[Action.ASSIGN](letter, user) if accept.allowed else ""
    return replace(accept, allowed=False, reason=refusal) if refusal else accept


def offered(user: User, letter: Letter) -> list[str]:
    """The actions this user may take on the letter now (``access.available_actions``)."""
    return [name for name, offer in _desk_steps(user, letter) if offer.allowed]


def withheld(user: User, letter: Letter) -> list[str]:
    """Why a step that is the desk's turn is not offered (say, a matter concluded after re-examination), once each."""
    reasons = [offer.reason for _name, offer in _desk_steps(user, letter) if offer.turn and not offer.allowed]
    return list(dict.fromkeys(reasons))


def _make_form(name: str, letter: Letter, data: Any = None) -> f.DeskActionForm:
    form_class = ACTIONS[name][0]
    extra: dict[str, Any] = {"within": (letter.handling_unit or letter.intake_unit).bureau}
    kwargs = extra if form_class is f.OtherUnitForm else {}
    initial: dict[str, Any] = {"version": letter.version}
    if name == "accused" and data is None:
        initial.update(_accused_initial(letter))
    return form_class(data, prefix=name, initial=initial, **kwargs)


def _accused_initial(letter: Letter) -> dict[str, str]:
    """The decision as it stands, or (not yet decided) as the desk proposes it."""
    unit = letter.accused_unit if letter.accused_decided_at is not None else propose_accused(letter).unit
    decision = f.AccusedForm.UNIT if unit is not None else f.AccusedForm.NONE
    return {"decision": decision, "unit": f.unit_option(unit)}


@staff_page
@require_http_methods(["GET", "POST"])
def desk_letter(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """A letter at the front desk: read it, see the routing proposal, and decide."""
    acceptor = staff_user(request, Role.ACCEPTOR)
    letter = letter_for(acceptor, str(public_id))
    failed: tuple[str, f.DeskActionForm] | None = None
    conflict = ""
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in ACTIONS:
            raise PermissionDenied
        outcome = _act(request, acceptor, letter, name)
        if isinstance(outcome, HttpResponseBase):
            return outcome
        failed, conflict = (name, outcome[0]), outcome[1]
        letter = letter_for(acceptor, str(public_id))  # what it is now, whatever happened
    return render(request, "console/desk/letter.html", _letter_context(request, acceptor, letter, failed, conflict))


def _act(
    request: HttpRequest, acceptor: User, letter: Letter, name: str
) -> HttpResponseBase | tuple[f.DeskActionForm, str]:
    """Run one action; on success redirect, otherwise return the bound form and a conflict message."""
    form = _make_form(name, letter, request.POST)
    if not form.is_valid():
        return form, ""
    proposal = propose_for_letter(letter)
    handler, stay = ACTIONS[name][1], ACTIONS[name][2]
    try:
        services.ensure_fresh(letter, form.cleaned_data["version"])
        done = handler(letter, acceptor, form.cleaned_data, proposal)
    except Conflict as exc:
        letter.refresh_from_db()
        return _rebound_with_fresh_version(name, letter, request), str(exc)
    except LifecycleError as exc:
        _place_error(form, name, exc, proposal, letter)
        return form, ""
    messages.success(request, _("%(number)s：%(done)s") % {"number": letter.tracking_number, "done": done})
    if stay and letters_visible_to(acceptor).filter(pk=letter.pk).exists():  # recusal may have taken it away
        return redirect("console:desk_letter", public_id=letter.public_id)
    return redirect("console:desk_queue")


def _rebound_with_fresh_version(name: str, letter: Letter, request: HttpRequest) -> f.DeskActionForm:
    """The user's input, kept, with the version the page now shows, so they can submit again if still right."""
    data = request.POST.copy()
    data[f"{name}-version"] = str(letter.version)
    form = _make_form(name, letter, data)
    form.is_valid()
    return form


def _place_error(form: f.DeskActionForm, name: str, exc: LifecycleError, proposal: Proposal, letter: Letter) -> None:
    """Put the service's message next to the field it is about."""
    if name in ("transfer", "other_unit") and letters.accused_undecided(letter):
        form.add_error(None, str(exc))
        return
    if name == "accused":
        unit, reason = form.cleaned_data["accused_unit"], form.cleaned_data["reason"].strip()
        if not reason and (unit.pk if unit else None) != letter.accused_unit_id:
            form.add_error("reason", str(exc))
            return
    if name == "other_unit":
        unit = form.cleaned_data["unit"]
        if not proposal.allows(unit):
            recusal = [r.text for r in proposal.reasons if r.code == "recusal"]
            form.add_error("unit", [str(exc), *recusal])
            return
        if unit.pk != proposal.unit.pk and not form.cleaned_data["reason"].strip():
            form.add_error("reason", str(exc))
            return
    form.add_error(None, str(exc))


def _letter_context(
    request: HttpRequest, acceptor: User, letter: Letter, failed: tuple[str, f.DeskActionForm] | None, conflict: str
) -> dict[str, Any]:
    steps = _desk_steps(acceptor, letter)
    actions = [name for name, offer in steps if offer.allowed]
    forms = {name: _make_form(name, letter) for name in ACTIONS}
    if failed is not None:
        forms[failed[0]] = failed[1]
    shown = set(actions) | ({failed[0]} if failed is not None else set())
    # Routing waits for the accused unit to be decided, but the desk still sees where the letter would go.
    waiting = {name for name, offer in steps if offer.reason == accused_undecided_message()}
    proposal = propose_for_letter(letter) if {"transfer", "other_unit"} & (shown | waiting) else None
    if proposal is not None and letter.handling_unit_id == proposal.unit.pk and failed is None:
        shown.discard("transfer")  # it is already where the proposal says: route it further by hand
    undecided = letters.accused_undecided(letter)
    accused: AccusedProposal | None = propose_accused(letter) if "accused" in shown else None
    return {
        "letter": letter,
        "accused_proposal": accused,
        "accused_undecided": undecided,
        "identity": writer_identity(letter),
        "proposal": proposal,
        "forms": forms,
        "shown": shown,
        "conflict": conflict,
        "withheld": withheld(acceptor, letter),
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
            form.add_error(None, exc)  # the category's and the reason's errors go next to their fields
    context = {"letter": letter, "identity": identity, "form": form, "revealed": revealed, "back": _back(request)}
    return render(request, "console/desk/identity.html", context)


def _back(request: HttpRequest) -> str:
    """Where the reveal came from, if it is a console page (never an outside address)."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    return back if back.startswith("/console/") else reverse("console:home")
