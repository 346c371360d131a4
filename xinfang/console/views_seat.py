"""Pages of the telephone seats (来电登记): the screen-pop call page, the registered call and its
receipt, and the JSON look-ups the seat's and the desk's type-ahead fields ask.

Every view is a ``staff_page``; each checks its role first (403) and then fetches the letter
through the access policy (404 for a letter the user may not see).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.accounts.models import Role, User
from xinfang.accounts.selectors import WriterIdentity, citizen_identity, writer_identity
from xinfang.analysis.emergency import emergency_words
from xinfang.console import forms_desk as f
from xinfang.console import services
from xinfang.console.selectors_desk import caller_citizen, normalise_phone, seat_mailboxes
from xinfang.console.views_common import Row, staff_user
from xinfang.errors import Refused
from xinfang.letters.access import letter_for, letter_for_its_registrar
from xinfang.letters.models import Letter
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox
from xinfang.orgs.selectors import divisions_matching, units_matching
from xinfang.pages.gates import staff_page
from xinfang.pages.receipts import receipt_download
from xinfang.pages.refusals import refusal_to_form
from xinfang.vocabulary import Channel

REGISTERED_SESSION_KEY = "console_call_registered"


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
        refusal_to_form(lookup_form, exc)
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
    except (Refused, ValidationError) as exc:
        refusal_to_form(form, exc)
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
