"""The leader's approvals and important letters, and the inspector's supervision pages.

Views only read (through ``letters.access`` and ``console.selectors_work``); the approval forms
are the letter page's own (``actions.WORK_ACTIONS``) and post to it, coming back here (``next``).
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from xinfang.console import forms_work as f
from xinfang.console import selectors_work as sel
from xinfang.console.actions import WORK_ACTIONS
from xinfang.console.views_common import PAGE_ROLES, WorkRow, paginate, roles_required, signed_in, work_rows
from xinfang.letters.access import action_refusal
from xinfang.letters.lifecycle import Action
from xinfang.orgs.models import Unit
from xinfang.pages.gates import staff_page

PAGE_SIZE = 25
UNITS_PAGE_SIZE = 50
ORDER_STATUS_LABELS = [
    ("open", gettext_lazy("未办结")),
    ("overdue", gettext_lazy("已超期")),
    ("answered", gettext_lazy("已回复")),
]


# ---------------------------------------------------------------- leader


@staff_page
@roles_required(*PAGE_ROLES["approvals"])
def approvals(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    page = paginate(request, sel.approvals_inbox(user), PAGE_SIZE)
    pending = sel.pending_extensions(list(page))
    day = sel.today()
    rows = []
    for letter in page:
        forms_: dict[str, forms.Form] = {}
        auto_id = f"id_{letter.pk}_%s"
        if not action_refusal(user, letter, Action.APPROVE_REPLY):
            forms_["approve_reply"] = WORK_ACTIONS["approve_reply"].form(letter, auto_id=auto_id)
            forms_["reject_reply"] = WORK_ACTIONS["reject_reply"].form(letter, auto_id=auto_id)
        if letter.pk in pending and not action_refusal(user, letter, Action.DECIDE_EXTENSION):
            forms_["decide_extension"] = WORK_ACTIONS["decide_extension"].form(letter, auto_id=auto_id)
        rows.append(WorkRow(letter, sel.light_of(letter.current_due, on=day), pending.get(letter.pk), forms_))
    return render(request, "console/work/approvals.html", {"page": page, "rows": rows, "actions": WORK_ACTIONS})


@staff_page
@roles_required(*PAGE_ROLES["important"])
def important(request: HttpRequest) -> HttpResponse:
    page = paginate(request, sel.important_letters(signed_in(request)), PAGE_SIZE)
    return render(request, "console/work/important.html", {"page": page, "rows": work_rows(page)})


# ---------------------------------------------------------------- inspector


@staff_page
@roles_required(*PAGE_ROLES["supervision"])
def supervision(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    counts = sel.late_counts_by_unit(user)
    context = {
        "page": paginate(request, counts, UNITS_PAGE_SIZE),
        "total_overdue": sum(c.overdue for c in counts),
        "total_due_soon": sum(c.due_soon for c in counts),
        "summary": sel.supervision_summary(user),
        "bureau": user.unit.bureau if user.unit is not None else None,
    }
    return render(request, "console/work/supervision.html", context)


def supervision_filters(form: f.SupervisionFilterForm) -> tuple[sel.SupervisionFilters, Unit | None]:
    """The inspector's list filter from its form (also used by the list's export)."""
    if not form.is_valid():
        return sel.SupervisionFilters(), None
    data = form.cleaned_data
    unit = Unit.objects.filter(code=data["unit"]).first() if data["unit"] else None
    filters = sel.SupervisionFilters(
        unit=unit, light=data["light"], flagged=data["flagged"], returned=data["returned"], ordered=data["ordered"]
    )
    return filters, unit


@staff_page
@roles_required(*PAGE_ROLES["supervision"])
def supervision_letters(request: HttpRequest) -> HttpResponse:
    form = f.SupervisionFilterForm(request.GET or None)
    filters, unit = supervision_filters(form)
    page = paginate(request, sel.supervision_letters(signed_in(request), filters), PAGE_SIZE)
    context = {"form": form, "page": page, "rows": work_rows(page), "unit": unit}
    return render(request, "console/work/supervision_letters.html", context)


@staff_page
@roles_required(*PAGE_ROLES["supervision"])
def supervision_orders(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in sel.ORDER_STATUSES:
        status = "open"
    page = paginate(request, sel.supervision_orders(signed_in(request), status), PAGE_SIZE)
    context = {"page": page, "status": status, "today": sel.today(), "statuses": ORDER_STATUS_LABELS}
    return render(request, "console/work/supervision_orders.html", context)
