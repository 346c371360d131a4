"""Staff sign-in under /console/: password, second factor or enrolment, recovery codes, sign-out, security.

The order matters: the password is checked by ``authenticate`` (django-axes counts failures), the
user is only *pending* until the second factor is checked, and only then do Django's ``login``
(which sends ``user_logged_in``) and django-otp's ``login`` run.
"""

from __future__ import annotations

import math
from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.accounts.models import User
from xinfang.pages.gates import is_verified_staff, staff_page
from xinfang.signin import selectors, services, session
from xinfang.signin.forms import CodeForm, PasswordForm
from xinfang.signin.qr import qr_svg, secret_for_typing
from xinfang.signin.services import CodeCheck
from xinfang.signin.session import Pending


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` if it is a path on this site, else the console's home page."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None, require_https=request.is_secure())
    ):
        return candidate
    return reverse("console:home")


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member on a page behind ``staff_page``."""
    assert isinstance(request.user, User)
    return request.user


# --- the password step ---------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if is_verified_staff(request):
        return redirect(next_url)
    if request.method == "GET" and (waiting := pending_sign_in(request)) is not None:
        # The password was right and the code is still due: a console page opened meanwhile (another
        # tab, the back button) leads back to the second step, not to the password again.
        return redirect("signin:enrol" if selectors.authenticator_of(waiting[1]) is None else "signin:verify")
    form = PasswordForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = form.get_user()
        session.pending_start(request.session, user_id=user.pk, backend=user.backend, next_url=next_url)
        return redirect("signin:enrol" if selectors.authenticator_of(user) is None else "signin:verify")
    return render(request, "signin/login.html", {"form": form, "next": next_url})


# --- the second step -----------------------------------------------------------------------------


def pending_sign_in(request: HttpRequest) -> tuple[Pending, User] | None:
    """The sign-in waiting for its second factor, if it is recent and the account may still sign in."""
    pending = session.pending_get(request.session)
    if pending is None:
        return None
    user = selectors.staff_member(pending.user_id)
    if user is None:
        session.pending_clear(request.session)
        return None
    return pending, user


def start_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("请重新输入用户名和密码。"))
    return redirect("signin:login")


def is_locked_out(request: HttpRequest, user: User) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": user.get_username()}))


def finish_sign_in(request: HttpRequest, user: User, device: Device, pending: Pending) -> None:
    """Both factors passed: Django's login (``user_logged_in``), then mark the session verified."""
    auth_login(request, user, backend=pending.backend)
    django_otp.login(request, device)
    session.pending_clear(request.session)


def refusal(check: CodeCheck) -> str:
    if check.throttled and check.retry_at is not None:
        seconds = max(1, math.ceil((check.retry_at - timezone.now()).total_seconds()))
        return _("尝试过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": seconds}
    return _("验证码不正确或已使用过，请重新输入。")


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def verify(request: HttpRequest) -> HttpResponseBase:
    found = pending_sign_in(request)
    if found is None:
        return start_again(request)
    pending, user = found
    if selectors.authenticator_of(user) is None:
        return redirect("signin:enrol")
    if is_locked_out(request, user):
        session.pending_clear(request.session)
        return locked_out(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        check = services.second_factor_check(user=user, code=form.cleaned_data["otp_token"])
        if check.device is not None:
            finish_sign_in(request, user, check.device, pending)
            if isinstance(check.device, StaticDevice):
                return recovery_code_used(request, user)
            return redirect(pending.next_url)
        form.refuse(refusal(check))
        # A wrong second factor is a failed sign-in: the audit hears of it and django-axes counts it.
        credentials = {"username": user.get_username(), "factor": "otp"}
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            session.pending_clear(request.session)  # AxesMiddleware answers with the lockout page
    return render(request, "signin/verify.html", {"form": form})


def recovery_code_used(request: HttpRequest, user: User) -> HttpResponse:
    """After a recovery code the phone may be lost: go to the security page, which says how many are left."""
    text = _("您使用了一个恢复码，还剩 %(left)s 个。手机丢失或更换时，请在这里更换身份验证器或重新生成恢复码。")
    messages.warning(request, text % {"left": selectors.recovery_codes_left(user)})
    return redirect("signin:security")


# --- enrolment -----------------------------------------------------------------------------------


def enrolment_device(request: HttpRequest, user: User) -> TOTPDevice:
    """The authenticator this session is enrolling, started now if there is none."""
    device = selectors.enrolment_in_progress(user, request.session.get(session.ENROLMENT))
    if device is None:
        device = services.totp_enrolment_start(user=user)
        request.session[session.ENROLMENT] = device.pk
    return device


def enrolment_page(request: HttpRequest, *, device: TOTPDevice, form: CodeForm, template: str) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "qr": qr_svg(device.config_url, label=_("身份验证器二维码")),
        "secret": secret_for_typing(device),
        "account": device.user.get_username(),
        "issuer": settings.OTP_TOTP_ISSUER,
        "demo": not settings.PRODUCTION,
    }
    return render(request, template, context)


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def enrol(request: HttpRequest) -> HttpResponseBase:
    """First sign-in of a staff member without an authenticator: QR code, confirm, then recovery codes."""
    found = pending_sign_in(request)
    if found is None:
        return start_again(request)
    pending, user = found
    if selectors.authenticator_of(user) is not None:
        return redirect("signin:verify")  # a password alone never replaces an enrolled authenticator
    if is_locked_out(request, user):
        session.pending_clear(request.session)
        return locked_out(request)
    device = enrolment_device(request, user)
    form = CodeForm(request.POST if request.method == "POST" else None, digits_only=True)
    if form.is_valid():
        check = services.totp_enrolment_confirm(user=user, device_id=device.pk, code=form.cleaned_data["otp_token"])
        if check.device is not None:
            finish_sign_in(request, user, check.device, pending)
            return show_new_recovery_codes(request, user, next_url=pending.next_url)
        form.refuse(refusal(check))
    return enrolment_page(request, device=device, form=form, template="signin/enrol.html")


def show_new_recovery_codes(request: HttpRequest, user: User, *, next_url: str) -> HttpResponse:
    codes = services.recovery_codes_issue(user=user)
    request.session[session.FRESH_CODES] = {"codes": codes, "next": next_url}
    return redirect("signin:recovery_codes")


@staff_page
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once: they are taken out of the session as they are shown."""
    fresh = request.session.pop(session.FRESH_CODES, None)
    if fresh is None:
        return redirect("signin:security")
    return render(request, "signin/recovery_codes.html", {"codes": fresh["codes"], "next": fresh["next"]})


# --- sign-out and lockout ------------------------------------------------------------------------


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out: the session is flushed (Django sends ``user_logged_out``)."""
    auth_logout(request)
    messages.success(request, _("您已安全退出。"))
    return redirect(settings.LOGIN_URL)


def locked_out(
    request: HttpRequest, original_response: HttpResponseBase | None = None, credentials: object = None
) -> HttpResponse:
    """The lockout page (django-axes' ``AXES_LOCKOUT_CALLABLE``), in the language of the request."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    response = render(request, "signin/locked_out.html", {"minutes": minutes}, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    add_never_cache_headers(response)
    return response


# --- the security page ---------------------------------------------------------------------------


def security_page(
    request: HttpRequest, *, reenrol_form: CodeForm | None = None, codes_form: CodeForm | None = None
) -> HttpResponse:
    user = staff_user(request)
    context = {
        "authenticator": selectors.authenticator_of(user),
        "codes_left": selectors.recovery_codes_left(user),
        "reenrol_form": reenrol_form or CodeForm(prefix="reenrol"),
        "codes_form": codes_form or CodeForm(prefix="codes"),
    }
    return render(request, "signin/security.html", context)


@staff_page
def security(request: HttpRequest) -> HttpResponse:
    return security_page(request)


def current_code_accepted(request: HttpRequest, form: CodeForm) -> bool:
    """The staff member proved again that they hold a second factor (authenticator or recovery code)."""
    if not form.is_valid():
        return False
    check = services.second_factor_check(user=staff_user(request), code=form.cleaned_data["otp_token"])
    if check.device is None:
        form.refuse(refusal(check))
    return check.device is not None


@sensitive_post_parameters("reenrol-otp_token", "otp_token")
@staff_page
def security_reenrol(request: HttpRequest) -> HttpResponse:
    """Replace the authenticator: the current code first, then the new one's QR code and its first code."""
    user = staff_user(request)
    if request.method == "POST" and request.POST.get("step") == "start":
        form = CodeForm(request.POST, prefix="reenrol")
        if not current_code_accepted(request, form):
            return security_page(request, reenrol_form=form)
        request.session[session.ENROLMENT] = services.totp_enrolment_start(user=user).pk
        return redirect("signin:security_reenrol")
    device = selectors.enrolment_in_progress(user, request.session.get(session.ENROLMENT))
    if device is None:
        return redirect("signin:security")
    confirm = CodeForm(request.POST if request.method == "POST" else None, digits_only=True)
    if confirm.is_valid():
        check = services.totp_enrolment_confirm(user=user, device_id=device.pk, code=confirm.cleaned_data["otp_token"])
        if check.device is not None:
            django_otp.login(request, check.device)  # the old authenticator is gone; this session keeps going
            request.session.pop(session.ENROLMENT, None)
            messages.success(request, _("新的身份验证器已启用，原来的已停用。"))
            return redirect("signin:security")
        confirm.refuse(refusal(check))
    return enrolment_page(request, device=device, form=confirm, template="signin/reenrol.html")


@sensitive_post_parameters("codes-otp_token")
@require_POST
@staff_page
def security_recovery_codes(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST, prefix="codes")
    if not current_code_accepted(request, form):
        return security_page(request, codes_form=form)
    return show_new_recovery_codes(request, staff_user(request), next_url=reverse("signin:security"))
