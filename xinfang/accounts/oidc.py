"""The ``oidc`` verification back-end: the product as a relying party of the provincial unified
identity platform, over OpenID Connect (Authlib's Django client).

Authorization code flow with PKCE (S256), ``state`` and ``nonce`` kept in the session by Authlib;
the ID token's RS256 signature is checked against the platform's JWKS, with its issuer, audience,
expiry, nonce and ``at_hash``. Every failure becomes a ``VerificationFailed`` whose message says,
in the citizen's language, what to do; what went wrong in detail goes to the log.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from xinfang.accounts.verification import VerificationFailed, VerifiedIdentity, identity_from_claims, provider_name

logger = logging.getLogger(__name__)

CLIENT_NAME = "province"
# Only RS256: whatever else the platform's metadata offers, a token signed otherwise is refused.
SIGNING_ALGORITHMS = ["RS256"]


def _client() -> Any:
    """A client configured from the settings (built per request: its metadata is fetched once each)."""
    issuer = settings.XINFANG_OIDC_ISSUER
    return OAuth().register(
        name=CLIENT_NAME,
        client_id=settings.XINFANG_OIDC_CLIENT_ID,
        client_secret=settings.XINFANG_OIDC_CLIENT_SECRET,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.XINFANG_OIDC_SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": settings.XINFANG_OIDC_TIMEOUT,
        },
    )


def _unreachable(exc: Exception) -> VerificationFailed:
    logger.warning("identity platform unreachable: %r", exc)
    return VerificationFailed(_("暂时无法连接%(platform)s，请稍后再试。") % {"platform": provider_name()})


def _load_metadata(client: Any) -> None:
    try:
        client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable(exc) from exc
    client.server_metadata["id_token_signing_alg_values_supported"] = SIGNING_ALGORITHMS


def authorization_redirect(request: HttpRequest, *, redirect_uri: str) -> HttpResponseRedirect:
    """Send the citizen to the platform's sign-in page; state, nonce and the PKCE verifier stay in the session."""
    client = _client()
    _load_metadata(client)
    response: HttpResponseRedirect = client.authorize_redirect(request, redirect_uri)
    return response


def identity_from_callback(request: HttpRequest) -> VerifiedIdentity:
    """The verified identity the platform sent back to the callback, or VerificationFailed.

    1. An ``error`` from the platform (the citizen declined) or a ``state`` this session did not
       start (a replayed or forged link) is refused before any request leaves.
    2. The code is exchanged for tokens with the PKCE verifier; the ID token's signature and
       claims are checked (``authorize_access_token``).
    3. The identity claims are mapped (``verification.identity_from_claims``); when the ID token
       does not carry them, the userinfo endpoint is asked, and its ``sub`` must be the token's.
    """
    if request.GET.get("error"):
        logger.info("identity platform returned %s", request.GET.get("error"))
        if request.GET.get("error") == "access_denied":
            raise VerificationFailed(_("您没有同意向本系统提供身份信息，实名认证未完成。"))
        raise VerificationFailed(_("%(platform)s未能完成认证，请重试。") % {"platform": provider_name()})
    client = _client()
    _load_metadata(client)
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise OAuthError(description="no ID token in the token response")
        if not _has_identity_claims(claims):
            extra = client.userinfo(token=token)
            if extra.get("sub") != claims.get("sub"):
                raise OAuthError(description="userinfo is about another subject")
            claims = {**extra, **claims}
    except MismatchingStateError as exc:
        logger.warning("identity platform callback with an unknown state")
        raise VerificationFailed(_("登录链接已失效或不是从本页面发起的，请重新点击登录。")) from exc
    except requests.RequestException as exc:
        raise _unreachable(exc) from exc
    except (AuthlibBaseError, JoseError, ValueError) as exc:
        logger.warning("identity platform answer refused: %r", exc)
        raise VerificationFailed(
            _("%(platform)s返回的身份信息未通过校验，请重新登录。") % {"platform": provider_name()}
        ) from exc
    return identity_from_claims(claims)


def _has_identity_claims(claims: dict[str, Any]) -> bool:
    return all(claims.get(name) for name in ("name", settings.XINFANG_OIDC_ID_NUMBER_CLAIM, "phone_number"))
