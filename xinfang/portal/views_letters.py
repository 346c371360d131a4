"""A citizen's letters: writing one (with the emergency stop), the receipt, the list, and one letter
with its timeline, the conversation with the handler, the reply, the rating and the review requests."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.accounts.models import User
from xinfang.analysis.emergency import emergency_words
from xinfang.errors import Refused
from xinfang.letters.access import letter_for
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_evaluate, letter_request_reexam, letter_request_review, messages_mark_read
from xinfang.pages.refusals import refusal_to_form
from xinfang.portal.channels import entry_channel, entry_token
from xinfang.portal.forms import (
    ConsentWithdrawForm,
    EvaluateForm,
    MessageForm,
    ReexamRequestForm,
    ReviewRequestForm,
    SupplyInfoForm,
    WriteForm,
)
from xinfang.portal.security import citizen_page, signed_in_citizen
from xinfang.portal.selectors import (
    citizen_due_dates,
    citizen_letter_attachments,
    citizen_messages,
    citizen_options,
    citizen_timeline,
    letters_of_citizen,
    mailbox_by_slug,
)
from xinfang.portal.services import info_supply, letter_write, message_write
from xinfang.publication.rules import consent_withdrawable
from xinfang.publication.services import consent_withdraw


def _citizen(request: HttpRequest) -> User:
    user = signed_in_citizen(request)
    assert user is not None  # citizen_page let the request through
    return user


@citizen_page
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, slug: str) -> HttpResponse:
    """Write a letter. Text that reads like an emergency in progress is stopped with "call 110
    now" until the writer confirms it is not one; nothing is submitted before that."""
    box = mailbox_by_slug(slug)
    citizen = _citizen(request)
    # The entry (?ch=) is signed into the form, so it belongs to this letter only (portal.channels).
    initial = {"channel": request.POST.get("channel") or entry_token(box, entry_channel(request, box))}
    if request.method == "POST" and request.POST.get("action") == "places":  # pickers without JavaScript
        return _write_page(request, WriteForm(initial={**request.POST.dict(), **initial}, mailbox=box), [])
    form = WriteForm(request.POST or None, request.FILES or None, mailbox=box, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return _write_page(request, form, [])
    signals = emergency_words(f"{form.cleaned_data['subject']}\n{form.cleaned_data['text']}")
    if signals and not form.cleaned_data["not_emergency"]:
        return _write_page(request, form, signals)
    try:
        submission = letter_write(
            mailbox=box, actor=citizen, draft=form.draft(), uploads=form.cleaned_data["attachments"]
        )
    except ValidationError as exc:  # a rejected attachment
        refusal_to_form(form, exc, "attachments")
        return _write_page(request, form, [])
    except Refused as exc:
        refusal_to_form(form, exc)
        return _write_page(request, form, [])
    response = redirect("portal:submitted", public_id=submission.letter.public_id)
    _hand_over_query_code(response, citizen, submission.letter, submission.query_code)
    return response


def _write_page(request: HttpRequest, form: WriteForm, signals: list[str]) -> HttpResponse:
    context = {"mailbox": form.mailbox, "form": form, "signals": signals, "files_dropped": bool(request.FILES)}
    return render(request, "portal/write.html", context, status=200)


@citizen_page
@require_GET
def submitted(request: HttpRequest, public_id: str) -> HttpResponse:
    """The receipt: the tracking number, and the query code shown this once."""
    citizen = _citizen(request)
    letter = letter_for(citizen, str(public_id))
    code = _query_code_handed_over(request, citizen, letter)
    response = render(request, "portal/submitted.html", {"letter": letter, "query_code": code})
    if RECEIPT_COOKIE in request.COOKIES:
        response.delete_cookie(RECEIPT_COOKIE, path=request.path, samesite="Strict")
    return response


# ---------------------------------------------------------------- the query code, from the POST to the receipt
#
# The receipt page shows the query code once. The submit POST hands it to that page in a cookie,
# not in the session: storing it there was a second write (and a second transaction) for every
# letter. The cookie
# - is encrypted and authenticated (Fernet, with a key derived from SECRET_KEY), so the code is
#   never readable in the browser's storage, a proxy or a log, and never appears in a URL;
# - names the writer and the letter, and is refused for any other (a copied cookie shows nothing);
# - lives ``RECEIPT_SECONDS``, is sent only to that letter's receipt page (``Path``), ``HttpOnly``,
#   ``SameSite=Strict``, ``Secure`` where the session cookie is; the receipt page deletes it, so
#   reloading the page shows the code no more (as before).
# Rendering the receipt in the POST's own response would avoid the cookie but lose the redirect
# after POST (a reload would offer to send the letter again).

RECEIPT_COOKIE = "xf_receipt"
RECEIPT_SECONDS = 600


def _receipt_cipher() -> Fernet:
    key = salted_hmac("xinfang.portal.receipt", "query-code", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _hand_over_query_code(response: HttpResponse, citizen: User, letter: Letter, code: str) -> None:
    token = _receipt_cipher().encrypt(f"{citizen.pk}:{letter.public_id}:{code}".encode()).decode()
    response.set_cookie(
        RECEIPT_COOKIE,
        token,
        max_age=RECEIPT_SECONDS,
        path=reverse("portal:submitted", kwargs={"public_id": letter.public_id}),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def _query_code_handed_over(request: HttpRequest, citizen: User, letter: Letter) -> str | None:
    token = request.COOKIES.get(RECEIPT_COOKIE, "")
    if not token:
        return None
    try:
        plain = _receipt_cipher().decrypt(token.encode(), ttl=RECEIPT_SECONDS).decode()
    except (InvalidToken, ValueError):
        return None
    user_pk, public_id, code = plain.split(":", 2)
    return code if (user_pk, public_id) == (str(citizen.pk), str(letter.public_id)) else None


@citizen_page
@require_GET
def my_letters(request: HttpRequest) -> HttpResponse:
    letters = list(letters_of_citizen(_citizen(request)))
    rows = [(letter, citizen_due_dates(letter)) for letter in letters]
    return render(request, "portal/my_letters.html", {"rows": rows})


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "message": MessageForm,
    "supply": SupplyInfoForm,
    "evaluate": EvaluateForm,
    "review": ReviewRequestForm,
    "reexam": ReexamRequestForm,
    "withdraw_consent": ConsentWithdrawForm,
}


DONE = {
    "message": gettext_lazy("留言已发送给承办单位。"),
    "supply": gettext_lazy("补充材料已提交，受理期限从今天重新计算。"),
    "evaluate": gettext_lazy("感谢您的评价。"),
    "review": gettext_lazy("复查申请已提交，上一级机关将在法定期限内答复。"),
    "reexam": gettext_lazy("复核申请已提交，复核意见为最终结论。"),
    "withdraw_consent": gettext_lazy("已撤回公开同意，这封信不会公开。"),
}


def _letter_page(request: HttpRequest, letter: Letter, bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    citizen = _citizen(request)
    forms_ = {name: form_class() for name, form_class in ACTION_FORMS.items()}
    forms_.update(bound or {})
    context = {
        "letter": letter,
        "timeline": citizen_timeline(letter),
        "messages_": citizen_messages(letter),
        "attachments": citizen_letter_attachments(letter),
        "due_dates": citizen_due_dates(letter),
        "options": citizen_options(citizen, letter),
        "consent_withdrawable": consent_withdrawable(letter),
        "forms": forms_,
        "failed": next(iter(bound or {}), ""),  # the refused form stays on the page with its reason
    }
    return render(request, "portal/letter.html", context)


@citizen_page
@require_GET
def letter_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    citizen = _citizen(request)
    letter = letter_for(citizen, str(public_id))
    messages_mark_read(letter=letter, actor=citizen)
    return _letter_page(request, letter)


def _do(action: str, letter: Letter, citizen: User, form: forms.Form) -> None:
    data = form.cleaned_data
    uploads = data.get("attachments", [])
    steps: dict[str, Callable[[], Any]] = {
        "message": lambda: message_write(letter=letter, actor=citizen, text=data["text"], uploads=uploads),
        "supply": lambda: info_supply(letter=letter, actor=citizen, text=data["text"], uploads=uploads),
        "evaluate": lambda: letter_evaluate(
            letter=letter, actor=citizen, rating=data["rating"], comment=data["comment"]
        ),
        "review": lambda: letter_request_review(letter=letter, actor=citizen, reason=data["reason"]),
        "reexam": lambda: letter_request_reexam(letter=letter, actor=citizen, reason=data["reason"]),
        "withdraw_consent": lambda: consent_withdraw(letter=letter, actor=citizen),
    }
    steps[action]()


@citizen_page
@require_POST
def letter_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """One of the writer's actions on the letter page; a refusal re-renders the page with the
    form as typed and the reason next to it."""
    if action not in ACTION_FORMS:
        raise Http404
    citizen = _citizen(request)
    letter = letter_for(citizen, str(public_id))
    form = ACTION_FORMS[action](request.POST, request.FILES or None)
    if form.is_valid():
        try:
            _do(action, letter, citizen, form)
        except ValidationError as exc:  # a rejected attachment
            refusal_to_form(form, exc, "attachments" if "attachments" in form.fields else None)
        except Refused as exc:  # a closed window, a state that moved on, or a Conflict
            refusal_to_form(form, exc)
            letter.refresh_from_db()
        else:
            messages.success(request, str(DONE[action]))
            return redirect(reverse("portal:letter", kwargs={"public_id": letter.public_id}))
    return _letter_page(request, letter, {action: form})
