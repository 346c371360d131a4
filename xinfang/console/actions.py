"""The actions on a letter that the front-desk and work letter pages offer: one table, one way to run them.

- :data:`ACTION_TABLE` has one entry per form: the page it is on, the step
  ``letters.access.available_actions`` calls it (an ``Action`` or ``Other`` value), its form class
  and the function that calls the domain service. Whether an action is offered is only ever
  ``available_actions``' answer (:func:`availability`); the table says nothing of who may act.
- :func:`perform` runs one submitted action for either page: a form whose version is older than
  the letter's, or a service that finds someone acted first (``Conflict``), gives the conflict with
  the user's input re-bound to the fresh version; any other ``Refused`` goes next to its field (or
  on the whole form) with the input kept, and nothing of the attempt is saved; success goes to a
  safe local address only (:func:`safe_redirect`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xinfang.accounts.models import Role, User
from xinfang.console import forms_desk as fd
from xinfang.console import forms_work as fw
from xinfang.console import services as console_services
from xinfang.console.selectors_desk import refusal_notice
from xinfang.console.views_common import WORK_ROLES
from xinfang.deadlines.policies import Step, limit_for
from xinfang.errors import Refused
from xinfang.letters import services as letters
from xinfang.letters.access import GUARDS, Availability, Other, available_actions, letter_for, letters_visible_to
from xinfang.letters.accusation import propose_accused
from xinfang.letters.attachments import AttachmentRejected, attachment_add
from xinfang.letters.lifecycle import Action, Conflict
from xinfang.letters.models import Letter, LetterState, Message
from xinfang.pages.refusals import refusal_message, refusal_to_form
from xinfang.routing.engine import propose_for_letter

DESK = "desk"  # /console/desk/<letter>/: the front desk (受理台)
WORK = "work"  # /console/letters/<letter>/: handlers, leaders, inspectors
# Who may open the desk page (its gate), and so be sent there from the work page.
DESK_ROLE = Role.ACCEPTOR

Run = Callable[[forms.Form, Letter, User], str]
Place = Callable[[forms.Form, Letter, Refused | ValidationError], None]


# ---------------------------------------------------------------- where to go


def safe_next(request: HttpRequest) -> str:
    """The ``next`` the page posted, if it is a console page on this site ("" otherwise)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/console/") and _is_local(request, target):
        return target
    return ""


def _is_local(request: HttpRequest, target: str) -> bool:
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_redirect(request: HttpRequest, target: str) -> HttpResponseRedirect:
    """Redirect to ``target`` only if it is an address on this site; otherwise to the console's home."""
    return redirect(target if _is_local(request, target) else reverse("console:home"))


# ---------------------------------------------------------------- the two pages


def stale_on_desk() -> str:
    return _("这封信刚刚被其他人处理过，请刷新后查看最新情况再操作。")


def stale_on_work() -> str:
    return _(
        "在您打开此页之后，这封信已被其他人处理（见下方流转记录）。您填写的内容保留在下面，请核对后再决定是否提交。"
    )


def _after_desk(request: HttpRequest, user: User, letter: Letter, action: LetterAction) -> str:
    """Back to the letter (decisions that leave it at the desk) or to the queue; never to a letter
    recusal has just taken away."""
    if not letters_visible_to(user).filter(pk=letter.pk).exists():
        return reverse("console:desk_queue")
    default = reverse("console:desk_letter", args=[letter.public_id]) if action.stay else reverse("console:desk_queue")
    return safe_next(request) or default


def after_work(request: HttpRequest, user: User, letter: Letter) -> str:
    """Back where the form was (``next``) or to the letter; if recusal took it away, to the user's start page."""
    if not letters_visible_to(user).filter(pk=letter.pk).exists():
        messages.info(request, _("按回避规定，信件 %(number)s 已移出本单位，交上一级机关受理。您已不能再查看它。")
                      % {"number": letter.tracking_number})  # fmt: skip
        return reverse("console:work" if set(WORK_ROLES) & user.role_set else "console:home")
    return safe_next(request) or reverse("console:letter", args=[letter.public_id])


@dataclass(frozen=True)
class LetterPage:
    """What differs between the two letter pages when an action is run."""

    stale_message: Callable[[], str]  # a form older than the letter
    forbid_unoffered: bool  # an action not offered now is 403 (else the service's refusal is shown)
    after: Callable[[HttpRequest, User, Letter, LetterAction], str]  # where success goes


PAGES = {
    DESK: LetterPage(stale_on_desk, forbid_unoffered=False, after=_after_desk),
    WORK: LetterPage(stale_on_work, forbid_unoffered=True, after=lambda r, u, letter, a: after_work(r, u, letter)),
}


# ---------------------------------------------------------------- the table


def _no_kwargs(letter: Letter) -> dict[str, Any]:
    return {}


def _no_initial(letter: Letter) -> dict[str, Any]:
    return {}


def _on_form(form: forms.Form, letter: Letter, refusal: Refused | ValidationError) -> None:
    refusal_to_form(form, refusal)


@dataclass(frozen=True)
class LetterAction:
    """One form on a letter page and the service it calls."""

    slug: str  # the form's prefix and its name in the page (and in /do/<slug>/ on the work page)
    page: str  # DESK or WORK
    step: str  # what ``access.available_actions`` calls it (an ``Action`` or ``Other`` value)
    form_class: type[forms.Form]
    run: Run  # calls the service; returns what the user is told
    title: Promise | str = ""
    versioned: bool = True  # checked against the version of the letter the user saw
    stay: bool = True  # the desk: back to the letter afterwards (else the queue)
    accepts_first: bool = False  # routing a letter not yet accepted accepts it first
    initial: Callable[[Letter], dict[str, Any]] = _no_initial
    form_kwargs: Callable[[Letter], dict[str, Any]] = _no_kwargs
    place: Place = _on_form  # where a refusal goes on the form

    def form(self, letter: Letter, data: Any = None, files: Any = None, *, auto_id: str = "id_%s") -> forms.Form:
        kwargs: dict[str, Any] = {"prefix": self.slug, "auto_id": auto_id, "files": files}
        if self.versioned:
            kwargs["initial"] = {"version": letter.version, **self.initial(letter)}
        return self.form_class(data, **kwargs, **self.form_kwargs(letter))


# -- the front desk


def _numbered(letter: Letter, done: str) -> str:
    return _("%(number)s：%(done)s") % {"number": letter.tracking_number, "done": done}


def _accept(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_accept(letter=letter, actor=user)
    return _numbered(letter, _("已受理。请转办或交办。"))


def _refuse(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    notice = data["notice"].strip() or refusal_notice(letter, data["reason"])
    letters.letter_refuse(letter=letter, actor=user, reason=data["reason"], text=notice)
    return _numbered(letter, _("已不予受理，并出具书面告知。"))


def _refer(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    letters.letter_refer(letter=letter, actor=user, organ=data["organ"], text=data["text"])
    return _numbered(letter, _("已告知信访人向有权机关提出。"))


def _emergency(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_redirect_emergency(letter=letter, actor=user, note=form.cleaned_data["note"])
    return _numbered(letter, _("已转 110 紧急处置。"))


def _clear_emergency(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_clear_emergency_flag(letter=letter, actor=user)
    return _numbered(letter, _("已解除紧急情况提示。"))


def _request_info(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_request_info(letter=letter, actor=user, reason=form.cleaned_data["reason"])
    return _numbered(letter, _("已要求信访人补充材料。"))


def _transfer(form: forms.Form, letter: Letter, user: User) -> str:
    unit = propose_for_letter(letter).unit
    console_services.letter_accept_and_assign(letter=letter, actor=user, unit=unit, mode=form.cleaned_data["mode"])
    return _numbered(letter, _("已转至%(unit)s。") % {"unit": unit})


def _other_unit(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    unit = data["unit"]
    console_services.letter_accept_and_assign(letter=letter, actor=user, unit=unit, mode=data["mode"],
                                              reason=data["reason"])  # fmt: skip
    return _numbered(letter, _("已转至%(unit)s。") % {"unit": unit})


def _decide_accused(form: forms.Form, letter: Letter, user: User) -> str:
    unit = form.cleaned_data["accused_unit"]
    letters.letter_set_accused(letter=letter, actor=user, accused_unit=unit, reason=form.cleaned_data["reason"])
    if unit is None:
        return _numbered(letter, _("已认定：不涉及公安机关。请转办或交办。"))
    return _numbered(letter, _("已认定被反映单位：%(unit)s。请转办或交办。") % {"unit": unit})


def _desk_accused_initial(letter: Letter) -> dict[str, str]:
    """The decision as it stands, or (not yet decided) as the desk proposes it."""
    unit = letter.accused_unit if letter.accused_decided_at is not None else propose_accused(letter).unit
    decision = fd.AccusedForm.UNIT if unit is not None else fd.AccusedForm.NONE
    return {"decision": decision, "unit": fd.unit_option(unit)}


def _within_bureau(letter: Letter) -> dict[str, Any]:
    return {"within": (letter.handling_unit or letter.intake_unit).bureau}


def _accused_refusal(form: forms.Form, letter: Letter, refusal: Refused | ValidationError) -> None:
    """A changed accused unit without a reason: the message goes next to the reason."""
    unit, reason = form.cleaned_data["accused_unit"], form.cleaned_data["reason"].strip()
    field = "reason" if not reason and (unit.pk if unit else None) != letter.accused_unit_id else None
    refusal_to_form(form, refusal, field)


def _routing_refusal(form: forms.Form, letter: Letter, refusal: Refused | ValidationError) -> None:
    """Routing waits for the accused unit (the whole form); a unit recusal forbids, or another unit
    than the proposal without a reason, is said next to the unit or the reason."""
    if letters.accused_undecided(letter) or "unit" not in form.cleaned_data or isinstance(refusal, ValidationError):
        refusal_to_form(form, refusal)
        return
    proposal = propose_for_letter(letter)
    unit = form.cleaned_data["unit"]
    if not proposal.allows(unit):
        recusal = [r.text for r in proposal.reasons if r.code == "recusal"]
        form.add_error("unit", [refusal_message(refusal), *recusal])
    elif unit.pk != proposal.unit.pk and not form.cleaned_data["reason"].strip():
        refusal_to_form(form, refusal, "reason")
    else:
        refusal_to_form(form, refusal)


# -- the work page


def _start_handling(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_start_handling(letter=letter, actor=user)
    return _("已开始办理。")


def _request_extension(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    letters.letter_request_extension(letter=letter, actor=user, days=data["days"], reason=data["reason"])
    return _("延期申请已提交领导审批。")


def _decide_extension(form: forms.Form, letter: Letter, user: User) -> str:
    approve = form.cleaned_data["decision"] == fw.ExtensionDecisionForm.APPROVE
    letters.letter_decide_extension(letter=letter, actor=user, approve=approve, note=form.cleaned_data["note"])
    return _("已批准延期，已告知信访人。") if approve else _("已不批准延期。")


def _report_back(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_report_back(letter=letter, actor=user, text=form.cleaned_data["text"])
    return _("办理结果已报告交办单位。")


def _draft_reply(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_draft_reply(letter=letter, actor=user, text=form.cleaned_data["text"])
    return _("答复稿已提交领导审批。")


def _reject_reply(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_reject_reply(letter=letter, actor=user, note=form.cleaned_data["note"])
    return _("答复稿已退回承办人修改。")


def _approve_reply(form: forms.Form, letter: Letter, user: User) -> str:
    text = form.cleaned_data["text"].strip() or None
    letters.letter_approve_reply(letter=letter, actor=user, text=text)
    return _("答复已批准并发送给信访人。")


def _return_misrouted(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_return_misrouted(letter=letter, actor=user, reason=form.cleaned_data["reason"])
    return _("信件已退回。")


def _answer_review(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_answer_review(letter=letter, actor=user, text=form.cleaned_data["text"])
    return _("复查意见已发送给信访人。")


def _answer_reexam(form: forms.Form, letter: Letter, user: User) -> str:
    letters.letter_answer_reexam(letter=letter, actor=user, text=form.cleaned_data["text"])
    return _("复核意见已发送给信访人，此事项已终结。")


def _change_accused(form: forms.Form, letter: Letter, user: User) -> str:
    unit = form.cleaned_data["accused_unit"]
    letters.letter_set_accused(letter=letter, actor=user, accused_unit=unit, reason=form.cleaned_data["reason"])
    if unit is None:
        return _("已认定：不涉及公安机关。")
    return _("已认定被反映单位：%(unit)s。") % {"unit": unit}


def _message(form: forms.Form, letter: Letter, user: User) -> str:
    letters.message_post(letter=letter, actor=user, kind=Message.Kind.TO_CITIZEN, text=form.cleaned_data["text"])
    return _("留言已发送给信访人。")


def _note(form: forms.Form, letter: Letter, user: User) -> str:
    """The note and its file are kept together or not at all (:func:`perform` runs it in one transaction)."""
    note = letters.message_post(
        letter=letter, actor=user, kind=Message.Kind.INTERNAL_NOTE, text=form.cleaned_data["text"]
    )
    upload = form.cleaned_data.get("file")
    if upload:
        attachment_add(letter=letter, upload=upload, actor=user, internal=True, message=note)
    return _("内部备注已保存。")


def _file_refusal(form: forms.Form, letter: Letter, refusal: Refused | ValidationError) -> None:
    refusal_to_form(form, refusal, "file" if isinstance(refusal, AttachmentRejected) else None)


def _instruct(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    letters.instruction_create(letter=letter, actor=user, text=data["text"], due=data["due"])
    return _("批示已送达承办单位。")


def _supervise(form: forms.Form, letter: Letter, user: User) -> str:
    data = form.cleaned_data
    letters.supervision_order_issue(letter=letter, actor=user, text=data["text"], due=data["due"])
    return _("督办已下达。")


def _reply_text(letter: Letter) -> dict[str, Any]:
    return {"text": letter.reply_text}


def _work_accused_initial(letter: Letter) -> dict[str, Any]:
    return fw.accused_initial(letter.accused_unit)


def _extension_limit(letter: Letter) -> dict[str, Any]:
    return {"max_days": limit_for(Step.EXTENSION, mailbox=letter.mailbox, letter_type=letter.letter_type).days}


A = LetterAction
ACTION_TABLE: tuple[LetterAction, ...] = (
    # The front desk, in the order its page lists them.
    A("accused", DESK, Action.SET_ACCUSED, fd.AccusedForm, _decide_accused, initial=_desk_accused_initial,
      place=_accused_refusal),
    A("accept", DESK, Action.ACCEPT, fd.DeskActionForm, _accept),
    A("refuse", DESK, Action.REFUSE, fd.RefuseForm, _refuse, stay=False),
    A("refer", DESK, Action.REFER, fd.ReferForm, _refer, stay=False),
    A("emergency", DESK, Action.REDIRECT_EMERGENCY, fd.EmergencyForm, _emergency, stay=False),
    A("clear_emergency", DESK, Action.CLEAR_EMERGENCY_FLAG, fd.DeskActionForm, _clear_emergency),
    A("request_info", DESK, Action.REQUEST_INFO, fd.RequestInfoForm, _request_info, stay=False),
    A("transfer", DESK, Action.ASSIGN, fd.TransferForm, _transfer, stay=False, accepts_first=True,
      place=_routing_refusal),
    A("other_unit", DESK, Action.ASSIGN, fd.OtherUnitForm, _other_unit, stay=False, accepts_first=True,
      form_kwargs=_within_bureau, place=_routing_refusal),
    # The work page, in the order its page lists them.
    A("start_handling", WORK, Action.START_HANDLING, fw.StartHandlingForm, _start_handling,
      gettext_lazy("开始办理")),
    A("draft_reply", WORK, Action.DRAFT_REPLY, fw.DraftReplyForm, _draft_reply, gettext_lazy("拟写答复"),
      initial=_reply_text),
    A("request_extension", WORK, Action.REQUEST_EXTENSION, fw.ExtensionRequestForm, _request_extension,
      gettext_lazy("申请延期"), form_kwargs=_extension_limit),
    A("report_back", WORK, Action.REPORT_BACK, fw.ReportBackForm, _report_back, gettext_lazy("报告办理结果")),
    A("return_misrouted", WORK, Action.RETURN_MISROUTED, fw.ReturnMisroutedForm, _return_misrouted,
      gettext_lazy("退回（非本单位职责）")),
    A("approve_reply", WORK, Action.APPROVE_REPLY, fw.ApproveReplyForm, _approve_reply, gettext_lazy("批准答复"),
      initial=_reply_text),
    A("reject_reply", WORK, Action.REJECT_REPLY, fw.RejectReplyForm, _reject_reply, gettext_lazy("退回答复稿")),
    A("decide_extension", WORK, Action.DECIDE_EXTENSION, fw.ExtensionDecisionForm, _decide_extension,
      gettext_lazy("审批延期")),
    A("answer_review", WORK, Action.ANSWER_REVIEW, fw.AnswerReviewForm, _answer_review,
      pgettext_lazy("button", "复查答复")),
    A("answer_reexam", WORK, Action.ANSWER_REEXAM, fw.AnswerReexamForm, _answer_reexam,
      pgettext_lazy("button", "复核答复")),
    A("accused", WORK, Action.SET_ACCUSED, fw.AccusedChangeForm, _change_accused, gettext_lazy("更改被反映单位"),
      initial=_work_accused_initial, place=_accused_refusal),
    A("message", WORK, Other.MESSAGE, fw.MessageForm, _message, gettext_lazy("发送给信访人"), versioned=False),
    A("note", WORK, Other.NOTE, fw.NoteForm, _note, gettext_lazy("保存内部备注"), versioned=False,
      place=_file_refusal),
    A("instruction", WORK, Other.INSTRUCT, fw.InstructionForm, _instruct, gettext_lazy("作出批示"), versioned=False),
    A("supervise", WORK, Other.SUPERVISE, fw.SupervisionIssueForm, _supervise, gettext_lazy("下达督办"),
      versioned=False),
)  # fmt: skip


def actions_on(page: str) -> dict[str, LetterAction]:
    """The page's actions by slug, in the table's order."""
    return {action.slug: action for action in ACTION_TABLE if action.page == page}


DESK_ACTIONS = actions_on(DESK)
WORK_ACTIONS = actions_on(WORK)


def availability(action: LetterAction, offers: dict[str, Availability], user: User, letter: Letter) -> Availability:
    """Whether ``user`` may take ``action`` now and why not, as ``available_actions`` (``offers``) says.

    Routing a letter not yet accepted accepts it first and then assigns it: both must be allowed
    (acceptance as offered, and the assignment's own condition, ``access.GUARDS``)."""
    if action.accepts_first and letter.state == LetterState.RECEIVED:
        accept = offers[Action.ACCEPT]
        refusal = GUARDS[Action.ASSIGN](letter, user) if accept.allowed else ""
        return replace(accept, allowed=False, reason=refusal) if refusal else accept
    return offers[action.step]


def waits_at_front_desk(user: User, offers: dict[str, Availability]) -> bool:
    """The letter waits at this user's front desk: it is their turn for a step only the desk page offers."""
    work_steps = {action.step for action in WORK_ACTIONS.values()}
    return user.has_role(DESK_ROLE) and any(
        offers[action.step].turn for action in DESK_ACTIONS.values() if action.step not in work_steps
    )


# ---------------------------------------------------------------- running one


@dataclass
class Outcome:
    """What came of a submitted action: a redirect (done), or the letter as it is now with the form to show."""

    letter: Letter
    form: forms.Form | None = None
    conflict: str = ""  # someone else acted first: say so, the form is re-bound to the fresh version
    redirect: HttpResponseRedirect | None = None


def _seen_version(request: HttpRequest, form: forms.Form) -> int | None:
    try:
        return int(request.POST.get(form.add_prefix("version"), ""))
    except ValueError:
        return None


def _conflict(request: HttpRequest, user: User, letter: Letter, action: LetterAction, message: str) -> Outcome:
    """The user's input, kept, with the version the page now shows, so they can submit again if still right."""
    fresh = letter_for(user, str(letter.public_id))
    data = request.POST.copy()
    if action.versioned:
        data[f"{action.slug}-version"] = str(fresh.version)
    form = action.form(fresh, data, request.FILES)
    form.is_valid()
    return Outcome(fresh, form, conflict=message)


def perform(request: HttpRequest, user: User, letter: Letter, action: LetterAction) -> Outcome:
    """Run one action submitted from its page (see the module's docstring)."""
    page = PAGES[action.page]
    form = action.form(letter, request.POST, request.FILES)
    if action.versioned and _seen_version(request, form) not in (None, letter.version):
        return _conflict(request, user, letter, action, page.stale_message())
    if page.forbid_unoffered and not availability(action, available_actions(user, letter), user, letter).allowed:
        raise PermissionDenied
    if not form.is_valid():
        return Outcome(letter, form)
    try:
        with transaction.atomic():
            done = action.run(form, letter, user)
    except Conflict as exc:
        return _conflict(request, user, letter, action, refusal_message(exc))
    except (Refused, ValidationError) as exc:
        fresh = letter_for(user, str(letter.public_id))  # nothing of the attempt was kept
        action.place(form, fresh, exc)
        return Outcome(fresh, form)
    messages.success(request, done)
    return Outcome(letter, redirect=safe_redirect(request, page.after(request, user, letter, action)))
