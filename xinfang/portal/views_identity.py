"""Real-name verification pages: sign-in through the provincial identity platform (OpenID Connect)
and the citizen's own verified identity.

The platform's sign-in is a link (``oidc_start``) that sends the citizen away; the platform sends
them back to ``oidc_callback``. A failure of any kind (platform down, consent declined, a link
that this session did not start, claims that do not check out) is a page that says so in the
citizen's language, with nobody signed in and nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xinfang.accounts import oidc
from xinfang.accounts.selectors import citizen_identity, mask_id_number, mask_phone
from xinfang.accounts.services import citizen_sign_in_verified
from xinfang.accounts.verification import OIDC, VerificationFailed, backend_enabled, provider_name
from xinfang.portal.security import citizen_page, signed_in_citizen

NEXT_KEY = "identity_next"


def _safe_next(request: HttpRequest, wanted: str) -> str:
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("portal:my_letters")


def _failed(request: HttpRequest, error: VerificationFailed) -> HttpResponse:
    response = render(
        request,
        "portal/account/identity_failed.html",
        {"message": str(error), "platform": provider_name(), "next": request.session.get(NEXT_KEY, "")},
        status=400,
    )
    add_never_cache_headers(response)
    return response


@require_GET
def oidc_start(request: HttpRequest) -> HttpResponse:
    """Send the citizen to the identity platform; where to go afterwards is kept in the session."""
    if not backend_enabled(OIDC):
        raise Http404
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
    try:
        response = oidc.authorization_redirect(
            request, redirect_uri=request.build_absolute_uri(reverse("portal:oidc_callback"))
        )
    except VerificationFailed as error:
        return _failed(request, error)
    add_never_cache_headers(response)
    return response


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Where the platform sends the citizen back: sign them in (opening their account the first time)."""
    if not backend_enabled(OIDC):
        raise Http404
    try:
        identity = oidc.identity_from_callback(request)
        next_url = _safe_next(request, request.session.pop(NEXT_KEY, ""))
        citizen_sign_in_verified(request=request, identity=identity, language=request.LANGUAGE_CODE)
    except VerificationFailed as error:
        return _failed(request, error)
    messages.success(
        request,
        _("已通过%(platform)s完成实名认证：%(name)s。") % {"platform": provider_name(), "name": identity.real_name},
    )
    return redirect(next_url)


@citizen_page
@require_GET
def my_identity(request: HttpRequest) -> HttpResponse:
    """The citizen's own real-name identity: the name in full, the numbers masked, and how it was verified."""
    citizen = signed_in_citizen(request)
    identity = citizen_identity(citizen) if citizen is not None else None
    if identity is None:
        raise Http404
    return render(
        request,
        "portal/account/identity.html",
        {
            "identity": identity,
            "masked_id_number": mask_id_number(identity.id_number),
            "masked_phone": mask_phone(identity.phone),
            "oidc_enabled": backend_enabled(OIDC),
            "platform": provider_name(),
        },
    )
