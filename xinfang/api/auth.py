"""Who is calling: the Bearer token of each operation's scope, its rate limit, and the audit entry
that every answer to a known token writes (``PartnerAPI.create_response``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer

from xinfang.api.errors import ApiError
from xinfang.api.models import PartnerToken
from xinfang.api.tokens import TokenRefused, authenticate
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.pages import throttling

# An API call in the audit log (the partner API's and Open311's).
API_CALL = AuditKind.API_CALL
RATE_WINDOW_SECONDS = 60
TOKEN_ATTRIBUTE = "partner_token"  # noqa: S105 (an attribute name)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer xf_…`` holding ``scope``; at most the token's calls per minute."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> PartnerToken:
        try:
            found = authenticate(token, self.scope)
        except TokenRefused as refused:
            if refused.token is not None:
                setattr(request, TOKEN_ATTRIBUTE, refused.token)
            raise ApiError(refused.status, refused.code, refused.message) from None
        setattr(request, TOKEN_ATTRIBUTE, found)
        if throttling.hit("api-token", str(found.pk), window_seconds=RATE_WINDOW_SECONDS) > found.rate_per_minute:
            message = _("请求过于频繁：该令牌每分钟最多 %(rate)s 次，请稍后再试。") % {"rate": found.rate_per_minute}
            raise ApiError(429, "rate_limited", message)
        return found


def calling_token(request: HttpRequest) -> PartnerToken:
    token = getattr(request, TOKEN_ATTRIBUTE, None)
    assert isinstance(token, PartnerToken)  # TokenAuth let the request through
    return token


class PartnerAPI(NinjaAPI):
    """Ninja's API, writing one audit entry for every answer to a call made with a known token:
    the token's name, the operation and the status (never the body: it may hold identities)."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        token = getattr(request, TOKEN_ATTRIBUTE, None)
        if isinstance(token, PartnerToken):
            match = request.resolver_match
            data = {
                "token": token.name,
                "operation": match.url_name if match is not None else request.path,
                "method": request.method,
                "status": response.status_code,
            }
            audit_record(kind=API_CALL, actor=None, subject=("api.partnertoken", token.prefix), data=data)
        return response
