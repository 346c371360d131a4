"""The publication pages (issue 18 §1): the publisher's candidates, the redaction page of one
publication (edit, submit; approve or send back for a leader; unpublish), and the leader's approvals.

Views read through ``publication.selectors`` and write through ``publication.services``; which
steps a page offers comes from ``publication.rules.available_steps``; a refusal goes back onto the
form that was posted (``pages.refusals``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.accounts.models import Role, User
from xinfang.console.forms_publication import CandidateFilterForm, EditForm, ReasonForm
from xinfang.console.views_common import paginate, roles_required, signed_in
from xinfang.errors import Refused
from xinfang.letters.access import letter_for
from xinfang.pages.gates import staff_page
from xinfang.pages.refusals import refusal_to_form
from xinfang.publication import selectors, services
from xinfang.publication.models import Publication
from xinfang.publication.rules import available_steps

PAGE_SIZE = 25


@staff_page
@roles_required(Role.PUBLISHER)
def candidates(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = CandidateFilterForm(request.GET or None, mailboxes=list(selectors.mailboxes_for(user)))
    page = paginate(request, selectors.candidates_for(user, form.filters()), PAGE_SIZE)
    context = {"form": form, "page": page, "recent": selectors.publications_of_unit(user)[:10]}
    return render(request, "console/publication/candidates.html", context)


@staff_page
@roles_required(Role.PUBLISHER)
@require_POST
def propose(request: HttpRequest, public_id: str) -> HttpResponse:
    user = signed_in(request)
    letter = letter_for(user, str(public_id))
    try:
        publication = services.publication_propose(letter=letter, actor=user)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("console:publication")
    return redirect("console:publication_detail", public_id=publication.public_id)


def _steps(user: User, publication: Publication, data: dict[str, Any]) -> dict[str, Callable[[], object]]:
    return {
        "edit": lambda: services.publication_edit(
            publication=publication, actor=user, title=data["title"], text=data["text"], reply=data["reply"]
        ),
        "submit": lambda: services.publication_submit(publication=publication, actor=user),
        "approve": lambda: services.publication_approve(publication=publication, actor=user),
        "send_back": lambda: services.publication_send_back(publication=publication, actor=user, reason=data["reason"]),
        "unpublish": lambda: services.publication_unpublish(publication=publication, actor=user, reason=data["reason"]),
    }


DONE = {
    "edit": _("公开稿已保存。"),
    "submit": _("已送领导审批。"),
    "approve": _("已批准，信件已公开。"),
    "send_back": _("已退回公开发布员。"),
    "unpublish": _("已撤下，公众不再能看到这封信。"),
}
FORMS: dict[str, type[forms.Form]] = {
    "edit": EditForm,
    "submit": forms.Form,
    "approve": forms.Form,
    "send_back": ReasonForm,
    "unpublish": ReasonForm,
}


@staff_page
@roles_required(Role.PUBLISHER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The redaction page: the original beside the public version, and the steps this person may take."""
    user = signed_in(request)
    publication = selectors.publication_for_staff(user, str(public_id))
    steps = available_steps(user, publication)
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in steps:
            raise Http404
        form = FORMS[step](request.POST)
        if form.is_valid():
            try:
                _steps(user, publication, form.cleaned_data)[step]()
            except Refused as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, str(DONE[step]))
                return redirect("console:publication_detail", public_id=publication.public_id)
        bound[step] = form
    return _detail_page(request, publication, steps, bound)


def _detail_page(
    request: HttpRequest, publication: Publication, steps: frozenset[str], bound: dict[str, forms.Form]
) -> HttpResponse:
    initial = {"title": publication.title, "text": publication.published_text, "reply": publication.published_reply}
    forms_ = {
        "edit": EditForm(initial=initial),
        "send_back": ReasonForm(auto_id="id_send_back_%s"),
        "unpublish": ReasonForm(auto_id="id_unpublish_%s"),
        "submit": forms.Form(),
        "approve": forms.Form(),
    }
    forms_.update(bound)
    context = {"publication": publication, "letter": publication.letter, "steps": steps, "forms": forms_}
    return render(request, "console/publication/detail.html", context)


@staff_page
@roles_required(Role.LEADER)
def approvals(request: HttpRequest) -> HttpResponse:
    rows = selectors.awaiting_approval(signed_in(request))
    return render(request, "console/publication/approvals.html", {"rows": rows})
