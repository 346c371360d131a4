"""The handler workspace, the leader's approvals, the inspector's supervision and the letter page.

Views only read (through ``letters.access`` and ``console.selectors_work``) and call services;
each action on a letter is one entry in :data:`ACTIONS`, which says who sees its form and which
service it calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role, User
from xinfang.accounts.selectors import writer_identity
from xinfang.console import forms_work as f
from xinfang.console import selectors_work as sel
from xinfang.deadlines.policies import Step, limit_for
from xinfang.explanations.selectors import explanations_on_letter
from xinfang.letters import services
from xinfang.letters.access import (
    Availability,
    Other,
    action_refusal,
    available_actions,
    letter_for,
    letters_visible_to,
)
from xinfang.letters.attachments import AttachmentRejected, attachment_add, attachments_visible_to
from xinfang.letters.lifecycle import TRANSITIONS, Action, Conflict, LifecycleError
from xinfang.letters.models import (
    Extension,
    Instruction,
    Letter,
    LetterEvent,
    Message,
    SupervisionOrder,
)
from xinfang.orgs.models import Unit
from xinfang.pages.gates import staff_page

PAGE_SIZE = 25
WORK_ROLES = (Role.HANDLER, Role.LEADER)  # who has the handler workspace
# Who may open each page of this family; the navigation (work_tags.work_pages) shows exactly these.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "work": WORK_ROLES,
    "approvals": (Role.LEADER,),
    "important": (Role.LEADER,),
    "supervision": (Role.INSPECTOR,),
}
UNITS_PAGE_SIZE = 50
FRONT_DESK_ACTIONS = (Action.ACCEPT, Action.REFUSE, Action.REQUEST_INFO, Action.ASSIGN, Action.REPLY_DIRECTLY)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # staff_page lets only signed-in staff through
        raise PermissionDenied
    return user


def pages_for(user: User) -> set[str]:
    """The pages of :data:`PAGE_ROLES` that ``user`` may open."""
    return {page for page, roles in PAGE_ROLES.items() if set(roles) & user.role_set}


def roles_required(*roles: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """403 unless the (already verified) staff user holds one of ``roles``."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not set(roles) & _user(request).role_set:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorate


def _paginate(request: HttpRequest, items: QuerySet[Any] | list[Any], size: int | None = None) -> Page[Any]:
    return Paginator(items, size or PAGE_SIZE).get_page(request.GET.get("page"))


@dataclass(frozen=True)
class Row:
    """A letter in a list with its traffic light."""

    letter: Letter
    light: sel.Light
    extension: Extension | None = None
    forms: dict[str, forms.Form] = field(default_factory=dict)


def _rows(page: Page[Letter]) -> list[Row]:
    day = sel.today()
    return [Row(letter, sel.light_of(letter.current_due, on=day)) for letter in page]


# ---------------------------------------------------------------- actions on a letter


def _start_handling(form: forms.Form, letter: Letter, user: User) -> str:
    services.letter_start_handling(letter=letter, actor=user)
    return _("已开始办理。")


def _request_extension(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    services.letter_request_extension(letter=letter, actor=user, days=data["days"], reason=data["reason"])
    return _("延期申请已提交领导审批。")


def _decide_extension(form: forms.Form, letter: Letter, user: User) -> str:
    approve = form.cleaned_data["decision"] == f.ExtensionDecisionForm.APPROVE
    services.letter_decide_extension(letter=letter, actor=user, approve=approve, note=form.cleaned_data["note"])
    return _("已批准延期，已告知信访人。") if approve else _("已不批准延期。")


def _report_back(form: forms.Form, letter: Letter, user: User) -> str:
    services.letter_report_back(letter=letter, actor=user, text=form.cleaned_data["text"])
    return _("办理结果已报告交办单位。")


def _draft_reply(form: forms.Form, letter: Letter, user: User) -> str:
    services.letter_draft_reply(letter=letter, actor=user, text=form.cleaned_data["text"])
    return _("答复稿已提交领导审批。")


def _reject_reply(form: forms.Form, letter: Letter, user: User) -> str:
    services.letter_reject_reply(letter=letter, actor=user, note=form.cleaned_data["note"])
    return _("答复稿已退回承办人修改。")


def _approve_reply(form: forms.Form, letter: Letter, user: User) -> str:
    text = form.cleaned_data["text"].strip() or None
    services.letter_approve_reply(letter=letter, actor=user, text=text)
    return _("答复已批准并发送给信访人。")


def _return_misrouted(form: forms.Form, letter: Letter, user: User) -> str:
    services.letter_return_misrouted(letter=letter, actor=user, reason=form.cleaned_data["reason"])
    return _("信件已退回。")


def _answer_review(form: forms.Form, letter: Letter, user: User) -> str:
    services.letter_answer_review(letter=letter, actor=user, text=form.cleaned_data["text"])
    return _("复查意见已发送给信访人。")


def _answer_reexam(form: forms.Form, letter: Letter, user: User) -> str:
    services.letter_answer_reexam(letter=letter, actor=user, text=form.cleaned_data["text"])
    return _("复核意见已发送给信访人，此事项已终结。")


def _set_accused(form: forms.Form, letter: Letter, user: User) -> str:
    """Record whom the letter accuses; a missing reason is shown next to the reason field."""
    data = form.cleaned_data
    unit = data["accused_unit"]
    try:
        services.letter_set_accused(letter=letter, actor=user, accused_unit=unit, reason=data["reason"])
    except Conflict:
        raise
    except LifecycleError as exc:
        if not data["reason"].strip() and (unit.pk if unit else None) != letter.accused_unit_id:
            form.add_error("reason", str(exc))
            raise FormRefused from exc
        raise
    if unit is None:
        return _("已认定：不涉及公安机关。")
    return _("已认定被反映单位：%(unit)s。") % {"unit": unit}


def _message(form: forms.Form, letter: Letter, user: User) -> str:
    services.message_post(letter=letter, actor=user, kind=Message.Kind.TO_CITIZEN, text=form.cleaned_data["text"])
    return _("留言已发送给信访人。")


def _note(form: forms.Form, letter: Letter, user: User) -> str:
    """The note and its file are kept together or not at all (a refused file leaves no note)."""
    upload = form.cleaned_data.get("file")
    try:
        with transaction.atomic():
            note = services.message_post(
                letter=letter, actor=user, kind=Message.Kind.INTERNAL_NOTE, text=form.cleaned_data["text"]
            )
            if upload:
                attachment_add(letter=letter, upload=upload, actor=user, internal=True, message=note)
    except AttachmentRejected as exc:
        form.add_error("file", exc)
        raise FormRefused from exc
    return _("内部备注已保存。")


def _instruct(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    services.instruction_create(letter=letter, actor=user, text=data["text"], due=data["due"])
    return _("批示已送达承办单位。")


def _supervise(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    services.supervision_order_issue(letter=letter, actor=user, text=data["text"], due=data["due"])
    return _("督办已下达。")


class FormRefused(Exception):
    """An action refused with the reason already added to one of the form's fields."""


@dataclass(frozen=True)
class LetterAction:
    slug: str
    title: Promise
    form_class: type[forms.Form]
    step: str  # what ``access.available_actions`` calls it (an ``Action`` or ``Other`` value)
    run: Callable[[forms.Form, Letter, User], str]
    # A lifecycle action is checked against the version of the letter the user saw.
    lifecycle: bool = True

    def allowed(self, user: User, letter: Letter) -> bool:
        return not action_refusal(user, letter, self.step)

    def form(self, letter: Letter, data: Any = None, files: Any = None, *, auto_id: str = "id_%s") -> forms.Form:
        kwargs: dict[str, Any] = {"prefix": self.slug, "auto_id": auto_id, "files": files}
        if self.lifecycle:
            kwargs["initial"] = {"version": letter.version, **self.initial(letter)}
        if self.form_class is f.ExtensionRequestForm:
            policy = limit_for(Step.EXTENSION, mailbox=letter.mailbox, letter_type=letter.letter_type)
            kwargs["max_days"] = policy.days
        return self.form_class(data, **kwargs)

    def initial(self, letter: Letter) -> dict[str, Any]:
        if self.slug in ("draft_reply", "approve_reply"):
            return {"text": letter.reply_text}
        if self.slug == "accused":
            return f.accused_initial(letter.accused_unit)
        return {}


ACTION_LIST = [
    LetterAction("start_handling", gettext_lazy("开始办理"), f.StartHandlingForm, Action.START_HANDLING,
                 _start_handling),
    LetterAction("draft_reply", gettext_lazy("拟写答复"), f.DraftReplyForm, Action.DRAFT_REPLY, _draft_reply),
    LetterAction("request_extension", gettext_lazy("申请延期"), f.ExtensionRequestForm, Action.REQUEST_EXTENSION,
                 _request_extension),
    LetterAction("report_back", gettext_lazy("报告办理结果"), f.ReportBackForm, Action.REPORT_BACK, _report_back),
    LetterAction("return_misrouted", gettext_lazy("退回（非本单位职责）"), f.ReturnMisroutedForm,
                 Action.RETURN_MISROUTED, _return_misrouted),
    LetterAction("approve_reply", gettext_lazy("批准答复"), f.ApproveReplyForm, Action.APPROVE_REPLY, _approve_reply),
    LetterAction("reject_reply", gettext_lazy("退回答复稿"), f.RejectReplyForm, Action.REJECT_REPLY, _reject_reply),
    LetterAction("decide_extension", gettext_lazy("审批延期"), f.ExtensionDecisionForm, Action.DECIDE_EXTENSION,
                 _decide_extension),
    LetterAction("answer_review", gettext_lazy("复查答复"), f.AnswerReviewForm, Action.ANSWER_REVIEW, _answer_review),
    LetterAction("answer_reexam", gettext_lazy("复核答复"), f.AnswerReexamForm, Action.ANSWER_REEXAM, _answer_reexam),
    LetterAction("accused", gettext_lazy("更改被反映单位"), f.AccusedChangeForm, Action.SET_ACCUSED, _set_accused),
    LetterAction("message", gettext_lazy("发送给信访人"), f.MessageForm, Other.MESSAGE, _message, lifecycle=False),
    LetterAction("note", gettext_lazy("保存内部备注"), f.NoteForm, Other.NOTE, _note, lifecycle=False),
    LetterAction("instruction", gettext_lazy("作出批示"), f.InstructionForm, Other.INSTRUCT, _instruct,
                 lifecycle=False),
    LetterAction("supervise", gettext_lazy("下达督办"), f.SupervisionIssueForm, Other.SUPERVISE, _supervise,
                 lifecycle=False),
]  # fmt: skip
ACTIONS = {action.slug: action for action in ACTION_LIST}
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


def _event_label(event: LetterEvent) -> str:
    if event.action == "receive":
        return _("收到信件")
    try:
        return str(TRANSITIONS[Action(event.action)].label)
    except ValueError:
        return event.action


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
        rows.append(EventRow(event, _event_label(event), explanation, named))
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


def _front_desk_waiting(offers: dict[str, Availability]) -> bool:
    """The letter waits at this user's front desk (the desk page is where it is worked)."""
    return any(offers[action].turn for action in FRONT_DESK_ACTIONS)


def _letter_context(request: HttpRequest, letter: Letter, bound: Bound | None = None) -> dict[str, Any]:
    user = _user(request)
    offers = available_actions(user, letter)
    available = [action for action in ACTION_LIST if offers[action.step].allowed]
    forms_by_slug: dict[str, forms.Form] = {}
    for action in available:
        if bound is None or bound.slug != action.slug or bound.target is not None:
            forms_by_slug[action.slug] = action.form(letter)
        elif not bound.conflict:  # a conflicting form is shown apart, with the conflict
            forms_by_slug[action.slug] = bound.form
    state_actions = [(a, forms_by_slug[a.slug]) for a in available if a.slug in forms_by_slug]
    conversation = {slug: form for slug, form in forms_by_slug.items() if slug in CONVERSATION}
    may_answer = offers[Other.ANSWER].allowed
    bound_action = ACTIONS.get(bound.slug) if bound is not None else None
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
        "bound_allowed": bound_action is not None and offers[bound_action.step].allowed,
        "actions": ACTIONS,
        "front_desk": _front_desk_waiting(offers),
        "next": _safe_next(request),
    }


def _render_letter(request: HttpRequest, letter: Letter, bound: Bound | None = None, status: int = 200) -> HttpResponse:
    return render(request, "console/work/letter.html", _letter_context(request, letter, bound), status=status)


@staff_page
def letter_page(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    letter = letter_for(user, str(public_id))
    if not action_refusal(user, letter, Other.MESSAGE):  # the unit that answers has read them
        services.messages_mark_read(letter=letter, actor=user)
    return _render_letter(request, letter)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/console/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _done(request: HttpRequest, letter: Letter, message: str) -> HttpResponseRedirect:
    messages.success(request, message)
    user = _user(request)
    if not letters_visible_to(user).filter(pk=letter.pk).exists():  # recusal took it away from this unit
        messages.info(request, _("按回避规定，信件 %(number)s 已移出本单位，交上一级机关受理。您已不能再查看它。")
                      % {"number": letter.tracking_number})  # fmt: skip
        return redirect("console:work" if set(WORK_ROLES) & user.role_set else "console:home")
    return redirect(_safe_next(request) or reverse("console:letter", args=[letter.public_id]))


def _conflict_message() -> str:
    return _(
        "在您打开此页之后，这封信已被其他人处理（见下方流转记录）。您填写的内容保留在下面，请核对后再决定是否提交。"
    )


def _with_version(request: HttpRequest, form: forms.Form, letter: Letter) -> Any:
    """The submitted data, with the version the user has now seen (so a deliberate resubmission works)."""
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(letter.version)
    return data


def _conflict(
    request: HttpRequest, action: LetterAction, form: forms.Form, letter: Letter, message: str
) -> HttpResponse:
    fresh = letter_for(_user(request), str(letter.public_id))
    resubmittable = action.form(fresh, _with_version(request, form, fresh))
    if not action.allowed(_user(request), fresh):
        for field_ in resubmittable.fields.values():
            field_.widget.attrs["readonly"] = True
    bound = Bound(action.slug, resubmittable, conflict=message)
    return _render_letter(request, fresh, bound, status=409)


def _seen_version(request: HttpRequest, form: forms.Form) -> int | None:
    try:
        return int(request.POST.get(form.add_prefix("version"), ""))
    except ValueError:
        return None


@staff_page
@require_POST
def letter_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Run one action from the letter page (or an inbox) and come back; errors re-show the page.

    1. A state-changing form whose letter version is older than the letter's is a conflict:
       someone acted in between; the user's input is shown again, nothing is done.
    2. An action the user may not perform now is refused (403).
    3. Validation errors and the service's refusals are shown next to the form, input kept;
       a conflict raised by the service itself (a race within the same instant) is shown as 1.
    """
    user = _user(request)
    letter = letter_for(user, str(public_id))
    if action in RESPONSES:
        return _respond(request, letter, action)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = spec.form(letter, request.POST, request.FILES)
    if spec.lifecycle and _seen_version(request, form) not in (None, letter.version):
        return _conflict(request, spec, form, letter, _conflict_message())
    if not spec.allowed(user, letter):
        raise PermissionDenied
    if form.is_valid():
        try:
            return _done(request, letter, spec.run(form, letter, user))
        except Conflict as exc:
            return _conflict(request, spec, form, letter, str(exc))
        except LifecycleError as exc:
            form.add_error(None, str(exc))
        except FormRefused:
            pass  # the error is already on the form's field
        letter = letter_for(user, str(public_id))
    return _render_letter(request, letter, Bound(spec.slug, form))


def _respond(request: HttpRequest, letter: Letter, slug: str) -> HttpResponse:
    user = _user(request)
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
        except LifecycleError as exc:
            form.add_error(None, str(exc))
    return _render_letter(request, letter, Bound(slug, form, target=target.pk))


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
    page = _paginate(request, sel.work_queue(_user(request), _filters(form)))
    context = {"form": form, "page": page, "rows": _rows(page), "due_soon_days": settings.XINFANG_DUE_SOON_DAYS}
    return render(request, "console/work/workspace.html", context)


# ---------------------------------------------------------------- leader


@staff_page
@roles_required(*PAGE_ROLES["approvals"])
def approvals(request: HttpRequest) -> HttpResponse:
    page = _paginate(request, sel.approvals_inbox(_user(request)))
    pending = sel.pending_extensions(list(page))
    day = sel.today()
    rows = []
    for letter in page:
        forms_: dict[str, forms.Form] = {}
        if not action_refusal(_user(request), letter, Action.APPROVE_REPLY):
            forms_["approve_reply"] = ACTIONS["approve_reply"].form(letter, auto_id=f"id_{letter.pk}_%s")
            forms_["reject_reply"] = ACTIONS["reject_reply"].form(letter, auto_id=f"id_{letter.pk}_%s")
        if letter.pk in pending and not action_refusal(_user(request), letter, Action.DECIDE_EXTENSION):
            forms_["decide_extension"] = ACTIONS["decide_extension"].form(letter, auto_id=f"id_{letter.pk}_%s")
        rows.append(Row(letter, sel.light_of(letter.current_due, on=day), pending.get(letter.pk), forms_))
    return render(request, "console/work/approvals.html", {"page": page, "rows": rows, "actions": ACTIONS})


@staff_page
@roles_required(*PAGE_ROLES["important"])
def important(request: HttpRequest) -> HttpResponse:
    page = _paginate(request, sel.important_letters(_user(request)))
    return render(request, "console/work/important.html", {"page": page, "rows": _rows(page)})


# ---------------------------------------------------------------- inspector


@staff_page
@roles_required(*PAGE_ROLES["supervision"])
def supervision(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    counts = sel.late_counts_by_unit(user)
    context = {
        "page": _paginate(request, counts, UNITS_PAGE_SIZE),
        "total_overdue": sum(c.overdue for c in counts),
        "total_due_soon": sum(c.due_soon for c in counts),
        "summary": sel.supervision_summary(user),
        "bureau": user.unit.bureau if user.unit is not None else None,
    }
    return render(request, "console/work/supervision.html", context)


@staff_page
@roles_required(*PAGE_ROLES["supervision"])
def supervision_letters(request: HttpRequest) -> HttpResponse:
    form = f.SupervisionFilterForm(request.GET or None)
    filters = sel.SupervisionFilters()
    unit = None
    if form.is_valid():
        data = form.cleaned_data
        unit = Unit.objects.filter(code=data["unit"]).first() if data["unit"] else None
        filters = sel.SupervisionFilters(
            unit=unit, light=data["light"], flagged=data["flagged"], returned=data["returned"], ordered=data["ordered"]
        )
    page = _paginate(request, sel.supervision_letters(_user(request), filters))
    context = {"form": form, "page": page, "rows": _rows(page), "unit": unit}
    return render(request, "console/work/supervision_letters.html", context)


@staff_page
@roles_required(*PAGE_ROLES["supervision"])
def supervision_orders(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in sel.ORDER_STATUSES:
        status = "open"
    page = _paginate(request, sel.supervision_orders(_user(request), status))
    context = {"page": page, "status": status, "today": sel.today(), "statuses": ORDER_STATUS_LABELS}
    return render(request, "console/work/supervision_orders.html", context)


ORDER_STATUS_LABELS = [
    ("open", gettext_lazy("未办结")),
    ("overdue", gettext_lazy("已超期")),
    ("answered", gettext_lazy("已回复")),
]
