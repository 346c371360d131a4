"""The API's one error shape, ``{"code", "message", "fields"}``, and the mapping to it of every way a
call can fail: a bad token, a refused scope, a body that does not validate, a domain refusal, a
letter not found, a conflict, too many calls. ``message`` is in the request's language
(``Accept-Language``: Chinese or English, through Django's ``LocaleMiddleware``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from xinfang.errors import Refused
from xinfang.letters.lifecycle import Conflict
from xinfang.pages.refusals import refusal_message


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ApiError(Exception):
    """A refusal the API answers with ``status`` and the one error shape."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


def from_domain(exc: Refused | DjangoValidationError) -> ApiError:
    """A domain refusal as the API answers it: a conflict with another change is 409, a throttled
    look-up 429, anything else the caller can fix 422 (with the fields a ValidationError names)."""
    if isinstance(exc, Conflict):
        return ApiError(409, "conflict", refusal_message(exc))
    if isinstance(exc, Refused):
        return ApiError(422, "refused", refusal_message(exc))
    fields = {name: [str(m) for m in messages] for name, messages in getattr(exc, "message_dict", {}).items()}
    errors = [e for es in exc.error_dict.values() for e in es] if hasattr(exc, "error_dict") else exc.error_list
    if any(error.code == "throttled" for error in errors):
        return ApiError(429, "rate_limited", " ".join(exc.messages), fields)
    return ApiError(422, "refused", " ".join(exc.messages), fields)


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    """``["body", "payload", "citizen", "phone"]`` as ``citizen.phone``; a header or query by its name."""
    parts = [str(p) for p in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    """Map every failure the API can meet to the one shape (ninja types a handler's exception loosely: ``Any``)."""

    def respond(request: HttpRequest, error: ApiError) -> HttpResponse:
        return api.create_response(request, error.body(), status=error.status)

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
        return respond(request, ApiError(422, "invalid", _("请求内容有误，请按字段说明修改。"), fields))

    def on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        message = _("请在 Authorization 头中提供有效的令牌（Bearer）。")
        return respond(request, ApiError(401, "unauthenticated", message))

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, ApiError(404, "not_found", _("没有找到。")))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 400:  # ninja could not parse the body
            return respond(request, ApiError(400, "bad_request", _("请求内容无法解析：请发送 JSON。")))
        codes = {401: "unauthenticated", 403: "forbidden", 405: "method_not_allowed"}
        return respond(request, ApiError(exc.status_code, codes.get(exc.status_code, "error"), _("请求无法处理。")))

    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, from_domain(exc))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Refused, on_domain)
    api.add_exception_handler(DjangoValidationError, on_domain)
