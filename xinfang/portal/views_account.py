"""Citizen accounts: real-name sign-up, sign-in by password or SMS code, password reset, sign-out.

The "send code" button works without JavaScript (it submits the form, which comes back with
what was typed and a notice next to the phone number); with JavaScript ``sms.js`` sends the
request in the background (``send_code``) and nothing is reloaded.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.accounts.models import SmsCode
from xinfang.accounts.services import (
    IdNumberRegistered,
    SmsCodeError,
    citizen_reset_password,
    citizen_sign_in_with_code,
    citizen_sign_in_with_password,
    citizen_sign_up,
    sms_code_send,
)
from xinfang.accounts.verification import FORMAT_ONLY, OIDC, backend_enabled, provider_name
from xinfang.pages import throttling
from xinfang.portal.forms import CodeSignInForm, PasswordSignInForm, ResetPasswordForm, SignUpForm

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PURPOSES = {p.value for p in SmsCode.Purpose}
# Sign-up attempts (each spends a guess at an SMS code) per hour, from one address and for one
# number; sending the codes has its own limits (accounts.services).
SIGN_UP_PER_CLIENT = 20
SIGN_UP_PER_NUMBER = 10
SIGN_UP_WINDOW = 60 * 60


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("portal:my_letters")


def _send_code(request: HttpRequest, purpose: str) -> tuple[str, bool]:
    """Send a code to the number in the POST; returns (message for the page, whether it is an error)."""
    try:
        sms_code_send(
            phone=request.POST.get("phone", ""),
            purpose=purpose,
            client_address=throttling.client_address(request.META),
        )
    except ValidationError as exc:
        return " ".join(exc.messages), True
    return _("验证码已发送，5 分钟内有效。如未收到，1 分钟后可以重新获取。"), False


def _add_errors(form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's errors next to the fields they name (under the form's own field names)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, messages in exc.message_dict.items():
        field = (rename or {}).get(name, name)
        form.add_error(field if field in form.fields else None, messages)


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("next", _next_url(request))
    context.update(
        oidc_enabled=backend_enabled(OIDC), format_only_enabled=backend_enabled(FORMAT_ONLY), platform=provider_name()
    )
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response


def _code_step(request: HttpRequest, form_class: type[forms.Form], purpose: str) -> dict[str, Any] | None:
    """When the "send code" button submitted the form: the page context with the form as typed."""
    if request.method != "POST" or request.POST.get("action") != "send_code":
        return None
    notice, is_error = _send_code(request, purpose)
    return {"form": form_class(initial=request.POST.dict()), "code_notice": notice, "code_error": is_error}


def _sign_up_refusal(request: HttpRequest, phone: str) -> str | None:
    """Why this sign-up attempt is refused before its code is looked at (too many), or None."""
    address = throttling.client_address(request.META)
    by_client = throttling.hit("sign-up-client", address, window_seconds=SIGN_UP_WINDOW)
    by_number = throttling.hit("sign-up-number", phone, window_seconds=SIGN_UP_WINDOW)
    if by_client > SIGN_UP_PER_CLIENT or by_number > SIGN_UP_PER_NUMBER:
        return _("注册尝试过于频繁，请一小时后再试。")
    return None


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """Real-name sign-up. Until the SMS code is right, every answer is the same whether or not
    the ID number is registered; after it, a registered one is sent to sign in (no second account).
    Where the format-only back-end is refused (accounts.verification) the page offers only the
    identity platform, and nothing typed is looked at."""
    if not backend_enabled(FORMAT_ONLY):
        return _page(request, "portal/account/sign_up.html", {"form": None})
    context = _code_step(request, SignUpForm, SmsCode.Purpose.SIGN_UP)
    if context is not None:
        return _page(request, "portal/account/sign_up.html", context)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        refusal = _sign_up_refusal(request, data["phone"])
        if refusal is not None:
            form.add_error(None, refusal)
            return _page(request, "portal/account/sign_up.html", {"form": form})
        try:
            user = citizen_sign_up(
                real_name=data["real_name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password1"],
                code=data["code"],
                language=request.LANGUAGE_CODE,
            )
        except IdNumberRegistered:
            return _page(request, "portal/account/sign_up_registered.html", {})
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            login(request, user, backend=MODEL_BACKEND)
            return redirect(_next_url(request))
    return _page(request, "portal/account/sign_up.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = PasswordSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = citizen_sign_in_with_password(
            request=request, phone=form.cleaned_data["phone"], password=form.cleaned_data["password"]
        )
        if user is not None:
            return redirect(_next_url(request))
        form.add_error(None, _("手机号码或密码不正确。"))
    return _page(request, "portal/account/sign_in.html", {"form": form, "mode": "password"})


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    context = _code_step(request, CodeSignInForm, SmsCode.Purpose.SIGN_IN)
    if context is not None:
        return _page(request, "portal/account/sign_in.html", {**context, "mode": "code"})
    form = CodeSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen_sign_in_with_code(request=request, phone=form.cleaned_data["phone"], code=form.cleaned_data["code"])
        except SmsCodeError as exc:
            form.add_error("code", exc)
        else:
            return redirect(_next_url(request))
    return _page(request, "portal/account/sign_in.html", {"form": form, "mode": "code"})


@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest) -> HttpResponse:
    context = _code_step(request, ResetPasswordForm, SmsCode.Purpose.RESET)
    if context is not None:
        return _page(request, "portal/account/reset.html", context)
    form = ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            citizen_reset_password(phone=data["phone"], code=data["code"], password=data["password1"])
        except ValidationError as exc:
            _add_errors(form, exc, rename={"password": "password1"})
        else:
            return _page(request, "portal/account/reset_done.html", {})
    return _page(request, "portal/account/reset.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


@require_POST
def send_code(request: HttpRequest) -> JsonResponse:
    """The background request of the "send code" button (sms.js)."""
    purpose = request.POST.get("purpose", "")
    if purpose not in PURPOSES or (purpose == SmsCode.Purpose.SIGN_UP and not backend_enabled(FORMAT_ONLY)):
        return JsonResponse({"ok": False, "message": _("请求无效。")}, status=400)
    message, is_error = _send_code(request, purpose)
    return JsonResponse({"ok": not is_error, "message": message}, status=400 if is_error else 200)
