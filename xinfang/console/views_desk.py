"""Pages of the telephone seats (来电登记) and the front desk (受理台), and revealing an identity.

Every view is a ``staff_page``; each checks its role first (403) and then fetches the letter
through the access policy (404 for a letter the user may not see).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.accounts.models import Role, User
from xinfang.accounts.selectors import WriterIdentity, citizen_by_phone, citizen_identity, writer_identity
from xinfang.console import forms_desk as f
from xinfang.console import services
from xinfang.console.security import staff_page
from xinfang.console.selectors_desk import caller_letters, desk_queue, normalise_phone, refusal_notice, seat_mailboxes
from xinfang.letters import services as letters
from xinfang.letters.access import letter_for, letters_visible_to, may_perform, may_reveal_identity
from xinfang.letters.choices import Channel
from xinfang.letters.emergency import emergency_signals
from xinfang.letters.lifecycle import TRANSITIONS, Action, Conflict, LifecycleError
from xinfang.letters.models import Letter, LetterState, RefusalReason
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.selectors import divisions_matching, units_matching
from xinfang.routing.engine import Proposal, propose_for_letter

QUEUE_PAGE_SIZE = 25
DUE_SOON_DAYS = 3
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
        return self.days_left is not None and 0 <= self.days_left <= DUE_SOON_DAYS

    @property
    def days_overdue(self) -> int:
        return -(self.days_left or 0)


# ---------------------------------------------------------------- telephone seat


@staff_page
@require_http_methods(["GET", "POST"])
def call(request: HttpRequest) -> HttpResponse:
    """The screen-pop page: the caller's earlier letters at once, and the registration form."""
    agent = staff_user(request, Role.SEAT_AGENT)
    number = normalise_phone(request.POST.get("number") or request.GET.get("number", ""))
    citizen = citizen_by_phone(number) if number else None
    mailboxes = seat_mailboxes(agent)
    if request.method == "POST":
        form = f.CallForm(request.POST, mailboxes=mailboxes, citizen=citizen)
        if form.is_valid():
            response = _register_call(request, agent, form, number)
            if response is not None:
                return response
    else:
        caller = f.CallerKind.EXISTING if citizen is not None else f.CallerKind.NEW
        initial = {"number": number, "phone": number, "caller": caller}
        form = f.CallForm(initial=initial, mailboxes=mailboxes, citizen=citizen)
    earlier = [Row(letter, writer_identity(letter)) for letter in caller_letters(agent, number)[:20]]
    context = {
        "form": form,
        "number": number,
        "caller": writer_identity_of(citizen),
        "earlier": earlier,
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
    return JsonResponse({"signals": emergency_signals(request.POST.get("text", "")[: f.TEXT_MAX])})


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


# name → (form class, what it does, whether the acceptor stays on the letter afterwards)
ACTIONS: dict[str, tuple[type[f.DeskActionForm], Handler, bool]] = {
    "accept": (f.DeskActionForm, _accept, True),
    "refuse": (f.RefuseForm, _refuse, False),
    "refer": (f.ReferForm, _refer, False),
    "emergency": (f.EmergencyForm, _emergency, False),
    "request_info": (f.RequestInfoForm, _request_info, False),
    "transfer": (f.TransferForm, _transfer, False),
    "other_unit": (f.OtherUnitForm, _other_unit, False),
}
# The lifecycle step behind each front-desk action (routing a letter not yet accepted accepts it first).
STEPS = {
    "accept": Action.ACCEPT,
    "refuse": Action.REFUSE,
    "refer": Action.REFER,
    "emergency": Action.REDIRECT_EMERGENCY,
    "request_info": Action.REQUEST_INFO,
    "transfer": Action.ASSIGN,
    "other_unit": Action.ASSIGN,
}


def offered(user: User, letter: Letter) -> list[str]:
    """The actions this user may take on the letter now, as the lifecycle table and access policy say."""
    result = []
    for name, step in STEPS.items():
        if step == Action.ASSIGN and letter.state == LetterState.RECEIVED:
            step = Action.ACCEPT
        transition = TRANSITIONS[step]
        if letter.state in transition.sources and may_perform(user, letter, transition):
            result.append(name)
    return result


def _make_form(name: str, letter: Letter, data: Any = None) -> f.DeskActionForm:
    form_class = ACTIONS[name][0]
    extra: dict[str, Any] = {"within": (letter.handling_unit or letter.intake_unit).bureau}
    kwargs = extra if form_class is f.OtherUnitForm else {}
    return form_class(data, prefix=name, initial={"version": letter.version}, **kwargs)


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
        _place_error(form, name, exc, proposal)
        return form, ""
    messages.success(request, _("%(number)s：%(done)s") % {"number": letter.tracking_number, "done": done})
    if stay:
        return redirect("console:desk_letter", public_id=letter.public_id)
    return redirect("console:desk_queue")


def _rebound_with_fresh_version(name: str, letter: Letter, request: HttpRequest) -> f.DeskActionForm:
    """The user's input, kept, with the version the page now shows, so they can submit again if still right."""
    data = request.POST.copy()
    data[f"{name}-version"] = str(letter.version)
    form = _make_form(name, letter, data)
    form.is_valid()
    return form


def _place_error(form: f.DeskActionForm, name: str, exc: LifecycleError, proposal: Proposal) -> None:
    """Put the service's message next to the field it is about."""
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
    actions = offered(acceptor, letter)
    forms = {name: _make_form(name, letter) for name in ACTIONS}
    if failed is not None:
        forms[failed[0]] = failed[1]
    shown = set(actions) | ({failed[0]} if failed is not None else set())
    proposal = propose_for_letter(letter) if {"transfer", "other_unit"} & shown else None
    if proposal is not None and letter.handling_unit_id == proposal.unit.pk and failed is None:
        shown.discard("transfer")  # it is already where the proposal says: route it further by hand
    return {
        "letter": letter,
        "identity": writer_identity(letter),
        "proposal": proposal,
        "forms": forms,
        "shown": shown,
        "conflict": conflict,
        "notices": [(code, label, refusal_notice(letter, code)) for code, label in RefusalReason.choices],
        "events": letter.events.select_related("actor").order_by("-at", "-id")[:10],
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
        try:
            revealed = services.identity_reveal(letter=letter, actor=user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error("reason", exc)
    context = {"letter": letter, "identity": identity, "form": form, "revealed": revealed, "back": _back(request)}
    return render(request, "console/desk/identity.html", context)


def _back(request: HttpRequest) -> str:
    """Where the reveal came from, if it is a console page (never an outside address)."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    return back if back.startswith("/console/") else reverse("console:home")
