"""Console pages for explanation requests.

- The asking side starts from the letter page: the request form (prefilled with the redacted
  text) and the withdrawal button. Letters are fetched through ``letters.access``, so staff who
  may not open the letter get 404.
- The accused side (leaders of the accused bureau) has its own list and a page per request that
  shows only an ``AccusedView``: never the letter, nor a link to it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import User
from xinfang.analysis.identifying import redact
from xinfang.console.forms_explanations import ExplanationRequestForm, ExplanationResponseForm
from xinfang.errors import Refused
from xinfang.explanations import selectors, services
from xinfang.letters.access import (
    answers_explanations,
    explanation_request_for,
    explanation_request_on_letter_for,
    letter_for,
    may_answer_explanation,
    may_request_explanation,
)
from xinfang.letters.lifecycle import Conflict
from xinfang.pages.gates import staff_page
from xinfang.pages.refusals import refusal_message, refusal_to_form

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # staff_page lets only signed-in staff through
        raise PermissionDenied
    return user


def _answering_user(request: HttpRequest) -> User:
    """403 for staff without the role that answers explanation requests."""
    user = _user(request)
    if not answers_explanations(user):
        raise PermissionDenied
    return user


# ---------------------------------------------------------------- the asking side


@staff_page
def request_new(request: HttpRequest, letter_id: str) -> HttpResponse:
    user = _user(request)
    letter = letter_for(user, str(letter_id))
    if not may_request_explanation(user, letter):
        raise PermissionDenied
    if request.method != "POST":
        initial = {"extract": redact(letter.text, letter=letter), "due_on": selectors.default_due_on()}
        form = ExplanationRequestForm(initial=initial)
    else:
        form = ExplanationRequestForm(request.POST)
        if form.is_valid():
            try:
                services.explanation_request_create(letter=letter, actor=user, **form.cleaned_data)
            except (Refused, ValidationError) as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, _("说明请求已发给被反映单位。"))
                return redirect("console:letter", letter.public_id)
    return render(request, "console/explanations/request_form.html", {"letter": letter, "form": form})


@staff_page
@require_POST
def request_withdraw(request: HttpRequest, public_id: str) -> HttpResponseBase:
    user = _user(request)
    explanation = explanation_request_on_letter_for(user, str(public_id))
    try:
        services.explanation_withdraw(request=explanation, actor=user)
    except Conflict as exc:
        messages.error(request, refusal_message(exc))
    except Refused as exc:
        raise PermissionDenied(refusal_message(exc)) from exc
    else:
        messages.success(request, _("说明请求已撤回。"))
    return redirect("console:letter", explanation.letter.public_id)


# ---------------------------------------------------------------- the accused side


@staff_page
def inbox(request: HttpRequest) -> HttpResponse:
    user = _answering_user(request)
    page = Paginator(selectors.accused_inbox(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": selectors.accused_views(page)}
    return render(request, "console/explanations/inbox.html", context)


@staff_page
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The request as the accused side sees it, and the form to answer it."""
    user = _answering_user(request)
    explanation = explanation_request_for(user, str(public_id))
    form: ExplanationResponseForm | None = None
    conflict = ""
    status = 200
    if request.method == "POST":
        form = ExplanationResponseForm(request.POST)
        if not may_answer_explanation(user, explanation):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.explanation_respond(request=explanation, actor=user, response=form.cleaned_data["response"])
            except Conflict as exc:
                conflict, status = refusal_message(exc), 409
                explanation.refresh_from_db()
            except (Refused, ValidationError) as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, _("情况说明已发送给请求单位。"))
                return redirect(reverse("console:explanations:detail", args=[explanation.public_id]))
    elif explanation.status == explanation.Status.OPEN:
        form = ExplanationResponseForm()
    context: dict[str, Any] = {"asked": selectors.accused_view(explanation), "form": form, "conflict": conflict}
    return render(request, "console/explanations/detail.html", context, status=status)
