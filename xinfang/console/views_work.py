"""The handler workspace and the letter page of handlers, leaders and inspectors.

Views only read (through ``letters.access`` and ``console.selectors_work``); each action on a
letter is one entry of ``actions.ACTION_TABLE`` (page ``WORK``), run by ``actions.perform``.
Answers to instructions and supervision orders are kept apart (:data:`RESPONSES`): they act on
the instruction or order, not on the letter's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import User
from xinfang.accounts.selectors import writer_identity
from xinfang.console import forms_work as f
from xinfang.console import selectors_work as sel
from xinfang.console.actions import (
    WORK_ACTIONS,
    LetterAction,
    after_work,
    availability,
    perform,
    safe_next,
    safe_redirect,
    waits_at_front_desk,
)
from xinfang.console.views_common import PAGE_ROLES, paginate, roles_required, signed_in, work_rows
from xinfang.errors import Refused
from xinfang.explanations.selectors import explanations_on_letter
from xinfang.letters import services
from xinfang.letters.access import Other, action_refusal, available_actions, letter_for
from xinfang.letters.attachments import attachments_visible_to
from xinfang.letters.lifecycle import event_label
from xinfang.letters.models import Instruction, Letter, LetterEvent, SupervisionOrder
from xinfang.orgs.models import Unit
from xinfang.pages.gates import staff_page
from xinfang.pages.refusals import refusal_to_form

PAGE_SIZE = 25
# Forms shown with the conversation rather than with the state actions.
CONVERSATION = ("message", "note")


# ---------------------------------------------------------------- replies to instructions and orders


def _respond_to_instruction(form: forms.Form, target: Instruction, user: User) -> str:
    services.instruction_respond(instruction=target, actor=user, text=form.cleaned_data["text"])
    return _("落实情况已回复。")


def _respond_to_order(form: forms.Form, target: SupervisionOrder, user: User) -> str:
    services.supervision_order_respond(order=target, actor=user, text=form.cleaned_data["text"])
    return _("督办办理情况已回复。")


RESPONSES: dict[str, tuple[type[forms.Form], Any, Any]] = {
    "respond_instruction": (f.InstructionResponseForm, Instruction, _respond_to_instruction),
    "respond_order": (f.SupervisionResponseForm, SupervisionOrder, _respond_to_order),
}


# ---------------------------------------------------------------- the letter page


@dataclass
class Bound:
    """The form the user just submitted, re-shown with its errors (or after a conflict)."""

    slug: str
    form: forms.Form
    target: int | None = None
    conflict: str = ""


@dataclass(frozen=True)
class EventRow:
    event: LetterEvent
    label: str
    explanation: list[str]
    units: list[tuple[str, Unit]]


def _event_rows(letter: Letter) -> list[EventRow]:
    events = list(sel.timeline(letter))
    codes = {
        str(event.data[key]) for event in events for key in ("unit", "proposed", "returned_to") if key in event.data
    }
    units = sel.units_by_code(codes)
    language = "en" if (get_language() or "").startswith("en") else "zh-hans"
    unit_labels = {
        "unit": gettext_lazy("转至"),
        "proposed": gettext_lazy("系统建议"),
        "returned_to": gettext_lazy("退回至"),
    }
    rows = []
    for event in events:
        explanation = [str(line.get(language, "")) for line in event.data.get("explanation", [])]
        named = [
            (str(label), units[str(event.data[key])])
            for key, label in unit_labels.items()
            if event.data.get(key) in units
        ]
        rows.append(EventRow(event, event_label(event.action), explanation, named))
    return rows


@dataclass(frozen=True)
class ItemRow:
    """An instruction or supervision order with the form to answer it, if the user may."""

    item: Instruction | SupervisionOrder
    form: forms.Form | None
    overdue: bool


def _item_rows(items: QuerySet[Any], slug: str, may_answer: bool, bound: Bound | None) -> list[ItemRow]:
    form_class = RESPONSES[slug][0]
    day = sel.today()
    rows = []
    for item in items:
        form: forms.Form | None = None
        if may_answer and item.responded_at is None:
            if bound is not None and bound.slug == slug and bound.target == item.pk:
                form = bound.form
            else:
                form = form_class(prefix=f"{slug}-{item.pk}")
        overdue = item.responded_at is None and item.due is not None and item.due < day
        rows.append(ItemRow(item, form, overdue))
    return rows


def _letter_context(request: HttpRequest, letter: Letter, bound: Bound | None = None) -> dict[str, Any]:
    user = signed_in(request)
    offers = available_actions(user, letter)
    available = [action for action in WORK_ACTIONS.values() if availability(action, offers, user, letter).allowed]
    forms_by_slug: dict[str, forms.Form] = {}
    for action in available:
        if bound is None or bound.slug != action.slug or bound.target is not None:
            forms_by_slug[action.slug] = action.form(letter)
        elif not bound.conflict:  # a conflicting form is shown apart, with the conflict
            forms_by_slug[action.slug] = bound.form
    state_actions = [(a, forms_by_slug[a.slug]) for a in available if a.slug in forms_by_slug]
    conversation = {slug: form for slug, form in forms_by_slug.items() if slug in CONVERSATION}
    may_answer = offers[Other.ANSWER].allowed
    bound_action = WORK_ACTIONS.get(bound.slug) if bound is not None else None
    place = (
        Unit.objects.filter(division_code=letter.division_code, kind="bureau").first() if letter.division_code else None
    )
    return {
        "letter": letter,
        "light": sel.light_of(letter.current_due),
        "identity": writer_identity(letter),
        "place": place,
        "events": _event_rows(letter),
        "conversation": letter.messages.select_related("author").prefetch_related("attachments"),
        "attachments": attachments_visible_to(user, letter).filter(message__isnull=True).select_related("uploaded_by"),
        "instructions": _item_rows(
            letter.instructions.select_related("leader", "responded_by"), "respond_instruction", may_answer, bound
        ),
        "orders": _item_rows(
            letter.supervision_orders.select_related("issuing_unit", "issued_by", "responded_by"),
            "respond_order",
            may_answer,
            bound,
        ),
        "extensions": letter.extensions.select_related("requested_by", "decided_by").order_by("requested_at", "pk"),
        "repeats": letter.repeats.all(),
        "explanations": explanations_on_letter(user, letter),
        "state_actions": [(a, form) for a, form in state_actions if a.slug not in CONVERSATION],
        "message_form": conversation.get("message"),
        "note_form": conversation.get("note"),
        "bound": bound,
        "bound_action": bound_action,
        "bound_title": bound_action.title if bound_action is not None else "",
        "bound_allowed": bound_action is not None and availability(bound_action, offers, user, letter).allowed,
        "actions": WORK_ACTIONS,
        "front_desk": waits_at_front_desk(user, offers),
        "next": safe_next(request),
    }


def _render_letter(request: HttpRequest, letter: Letter, bound: Bound | None = None, status: int = 200) -> HttpResponse:
    return render(request, "console/work/letter.html", _letter_context(request, letter, bound), status=status)


@staff_page
def letter_page(request: HttpRequest, public_id: str) -> HttpResponse:
    user = signed_in(request)
    letter = letter_for(user, str(public_id))
    if not action_refusal(user, letter, Other.MESSAGE):  # the unit that answers has read them
        services.messages_mark_read(letter=letter, actor=user)
    return _render_letter(request, letter)


def _conflict_page(
    request: HttpRequest, action: LetterAction, letter: Letter, form: forms.Form, message: str
) -> HttpResponse:
    """The conflict, with the user's input re-bound to the fresh version (read-only if the action is gone)."""
    user = signed_in(request)
    if not availability(action, available_actions(user, letter), user, letter).allowed:
        for field_ in form.fields.values():
            field_.widget.attrs["readonly"] = True
    return _render_letter(request, letter, Bound(action.slug, form, conflict=message), status=409)


@staff_page
@require_POST
def letter_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Run one action from the letter page (or an inbox) and come back; errors re-show the page.

    ``actions.perform`` runs it: a form older than the letter, or a service that finds someone
    acted first, is a conflict (409, the input kept, nothing done); an action not offered now is
    403; validation errors and the service's refusals are shown next to the form, input kept.
    """
    user = signed_in(request)
    letter = letter_for(user, str(public_id))
    if action in RESPONSES:
        return _respond(request, letter, action)
    spec = WORK_ACTIONS.get(action)
    if spec is None:
        raise Http404
    outcome = perform(request, user, letter, spec)
    if outcome.redirect is not None:
        return outcome.redirect
    assert outcome.form is not None
    if outcome.conflict:
        return _conflict_page(request, spec, outcome.letter, outcome.form, outcome.conflict)
    return _render_letter(request, outcome.letter, Bound(spec.slug, outcome.form))


def _respond(request: HttpRequest, letter: Letter, slug: str) -> HttpResponse:
    user = signed_in(request)
    form_class, model, run = RESPONSES[slug]
    try:
        target = model.objects.get(letter=letter, pk=int(request.POST.get("target", "")))
    except (ValueError, model.DoesNotExist) as exc:
        raise Http404 from exc
    if action_refusal(user, letter, Other.ANSWER):
        raise PermissionDenied
    form = form_class(request.POST, prefix=f"{slug}-{target.pk}")
    if form.is_valid():
        try:
            return _done(request, letter, run(form, target, user))
        except Refused as exc:
            refusal_to_form(form, exc)
    return _render_letter(request, letter, Bound(slug, form, target=target.pk))


def _done(request: HttpRequest, letter: Letter, message: str) -> HttpResponseRedirect:
    messages.success(request, message)
    return safe_redirect(request, after_work(request, signed_in(request), letter))


# ---------------------------------------------------------------- handler workspace


def _filters(form: f.WorkFilterForm) -> sel.WorkFilters:
    if not form.is_valid():
        return sel.WorkFilters()
    data = form.cleaned_data
    return sel.WorkFilters(
        mine=data["scope"] == f.WorkFilterForm.MINE,
        state=data["state"],
        letter_type=data["letter_type"],
        light=data["light"],
        query=data["q"],
    )


@staff_page
@roles_required(*PAGE_ROLES["work"])
def workspace(request: HttpRequest) -> HttpResponse:
    form = f.WorkFilterForm(request.GET or None)
    page = paginate(request, sel.work_queue(signed_in(request), _filters(form)), PAGE_SIZE)
    context = {"form": form, "page": page, "rows": work_rows(page), "due_soon_days": settings.XINFANG_DUE_SOON_DAYS}
    return render(request, "console/work/workspace.html", context)
