"""Open311 GeoReport v2 under ``/open311/v2/`` (docs/api.md, "Open311 GeoReport v2"): discovery,
services and their definitions, ``POST requests`` with a partner token's ``api_key``, and the public
``GET requests`` and ``GET requests/{id}``. Each answers in JSON or XML as its URL ends, in the
language of ``locale`` or of ``Accept-Language``; every refusal is Open311's error list.

Reading is public, as the specification has it (clients send no key to read), and follows the
portal's rule: the list holds published letters only; a letter by its tracking number is shown when
it is published or, this deployment's extension, when the request also carries its ``query_code``
(checked and throttled as at the portal). Otherwise the answer is the one for a letter that does not
exist. The answers hold only what the public may see (``selectors.py``), and each client address is
limited per minute.
Submitting needs a token holding ``letters:submit``; every answer to a known token is audited
with the token's name, like the partner API's calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.api.auth import API_CALL, RATE_WINDOW_SECONDS
from xinfang.api.models import PartnerToken, Scope
from xinfang.api.tokens import TokenRefused, authenticate
from xinfang.audit.services import audit_record
from xinfang.letters.models import Letter
from xinfang.open311 import catalogue, selectors
from xinfang.open311.formats import Open311Error, respond
from xinfang.open311.intake import request_submit
from xinfang.pages import throttling
from xinfang.pages.writer_view import letter_by_lookup, wrong_code_counted, wrong_codes_exhausted

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00+08:00"  # when the services' shape last changed
READS_PER_MINUTE = 120  # per client address, for the public reads
View = Callable[..., HttpResponse]


@contextmanager
def _language(request: HttpRequest) -> Iterator[None]:
    """The request's ``locale`` (``en``, ``zh_CN``…) when given, else what ``LocaleMiddleware`` chose."""
    asked = (request.GET.get("locale") or request.POST.get("locale") or "").lower()
    language = "en" if asked.startswith("en") else "zh-hans" if asked.startswith("zh") else None
    if language is None:
        yield
        return
    with translation.override(language):
        yield


def open311(view: View) -> View:
    """Answer in the request's language, and any ``Open311Error`` as Open311's error list."""

    @wraps(view)
    def answer(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
        with _language(request):
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as error:
                return error.response(fmt)

    return answer


def _limit_reads(request: HttpRequest) -> None:
    address = throttling.client_address(request.META)
    if throttling.hit("open311-read", address, window_seconds=60) > READS_PER_MINUTE:
        raise Open311Error(429, _("请求过于频繁，请稍后再试。"))


@require_GET
@open311
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    root = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    endpoint = {
        "specification": SPECIFICATION,
        "url": root,
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["application/json", "text/xml"],
    }
    data = {
        "changeset": CHANGESET,
        "contact": _("公安信访平台。接入 Open311 的 api_key 请向信箱主管单位申请合作渠道令牌。"),
        "key_service": _("合作渠道令牌（权限 letters:submit）由信箱主管单位的管理员在管理后台签发。"),
        "endpoints": [endpoint],
    }
    return respond(fmt, "discovery", data)


@require_GET
@open311
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    _limit_reads(request)
    found = catalogue.services(request.GET.get("jurisdiction_id", "").strip()[:40])
    return respond(fmt, "services", [service.as_open311() for service in found])


@require_GET
@open311
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    _limit_reads(request)
    service = catalogue.service_for(code)
    if service is None:
        raise Open311Error(404, _("没有这个服务代码：%(code)s。") % {"code": code[:60]})
    return respond(fmt, "service_definition", catalogue.definition(service))


@csrf_exempt  # a partner's server posting with an api_key: no session, no cookie
@require_http_methods(["GET", "POST"])
@open311
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    _limit_reads(request)
    filters = _filters(request)
    if filters.ids and _query_code(request):
        if len(filters.ids) > 1:
            raise Open311Error(400, _("query_code 只能与一个 service_request_id 一起使用。"))
        letter = _letter_for_reader(request, filters.ids[0])
        letters = [letter] if letter is not None else []
    else:
        letters = selectors.letters_matching(filters)
    return respond(fmt, "service_requests", selectors.requests_out(letters))


@require_GET
@open311
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    _limit_reads(request)
    letter = _letter_for_reader(request, service_request_id)
    if letter is None:
        raise Open311Error(404, _("没有可以查看的该编号信件：未公开的信件须同时提供正确的查询码（query_code）。"))
    return respond(fmt, "service_requests", selectors.requests_out([letter]))


def _query_code(request: HttpRequest) -> str:
    """The ``X-Query-Code`` header, else the ``query_code`` parameter (a URL ends up in logs)."""
    return (request.headers.get("X-Query-Code") or request.GET.get("query_code", "")).strip()[:40]


def _letter_for_reader(request: HttpRequest, service_request_id: str) -> Letter | None:
    """The letter with this tracking number if the reader may see it, else None (whether it does
    not exist or is hidden: the caller answers both alike).

    1. A published letter: anyone.
    2. Otherwise only with its query code, checked by the portal's look-up (``letter_by_lookup``:
       an unknown number costs the same hash as a wrong code).
    3. Wrong codes and unknown numbers are counted per client address and tracking number, outside
       any transaction; after ``writer_view.PARTNER_WRONG_CODES`` in an hour the number is refused (429)
       before any look-up, as the partner API refuses it.
    """
    letter = selectors.letter_by_id(service_request_id)
    if letter is not None and selectors.is_published(letter):
        return letter
    code = _query_code(request)
    if not code:
        return None
    number = selectors.normalise_tracking_number(service_request_id)[:40]
    pair = f"{throttling.client_address(request.META)} {number}"
    if wrong_codes_exhausted("open311-lookup-pair", pair):
        raise Open311Error(429, _("该编号查询失败次数过多，请稍后再试。"))
    found = letter_by_lookup(service_request_id, code)
    if found is None:
        wrong_code_counted("open311-lookup-pair", pair)
    return found


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    """Authenticate, limit, submit and audit; the query code goes to the writer in ``service_notice``."""
    token: PartnerToken | None = None
    try:
        try:
            token = authenticate(request.POST.get("api_key", ""), Scope.LETTERS_SUBMIT)
        except TokenRefused as refused:
            token = refused.token
            raise Open311Error(refused.status, refused.message) from None
        if throttling.hit("api-token", str(token.pk), window_seconds=RATE_WINDOW_SECONDS) > token.rate_per_minute:
            message = _("请求过于频繁：该令牌每分钟最多 %(rate)s 次，请稍后再试。") % {"rate": token.rate_per_minute}
            raise Open311Error(429, message)
        receipt = request_submit(token=token, data=request.POST.dict())
        notice = _(
            "已收到。信件编号 %(number)s，查询码 %(code)s：凭二者在信箱网站查询办理进度和答复。"
            "查询码只显示这一次，请转告信访人妥善保存。"
        ) % {"number": receipt.tracking_number, "code": receipt.query_code}
        body = [{"service_request_id": receipt.tracking_number, "service_notice": notice, "account_id": None}]
        response = respond(fmt, "service_requests", body, status=201)
    except Open311Error as error:
        response = error.response(fmt)
    if token is not None:
        data = {"token": token.name, "operation": "open311_requests", "method": "POST", "status": response.status_code}
        audit_record(kind=API_CALL, actor=None, subject=("api.partnertoken", token.prefix), data=data)
    return response


def _when(request: HttpRequest, name: str) -> dt.datetime | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, _("%(name)s 须为 W3C 日期时间，如 2026-01-01T00:00:00Z。") % {"name": name})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _number(request: HttpRequest, name: str, default: int, highest: int) -> int:
    value = request.GET.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= highest:
        raise Open311Error(400, _("%(name)s 须为 1 到 %(highest)s 之间的整数。") % {"name": name, "highest": highest})
    return int(value)


def _listed(request: HttpRequest, name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in request.GET.get(name, "").split(",") if item.strip())


def _filters(request: HttpRequest) -> selectors.RequestFilters:
    """The query's filters; a window of at most 90 days (the most recent 90 when none is given)."""
    start, end = _when(request, "start_date"), _when(request, "end_date")
    end = end or (start + selectors.MAX_SPAN if start else timezone.now())
    start = start or end - selectors.MAX_SPAN
    if end < start or end - start > selectors.MAX_SPAN:
        raise Open311Error(400, _("start_date 和 end_date 须先后有序，且相隔不超过 90 天。"))
    statuses = _listed(request, "status")
    if any(status not in selectors.STATUSES for status in statuses):
        raise Open311Error(400, _("status 只能是 open 或 closed。"))
    ids = _listed(request, "service_request_id")
    if len(ids) > selectors.MAX_IDS:
        raise Open311Error(400, _("一次最多查询 %(count)s 个信件编号。") % {"count": selectors.MAX_IDS})
    return selectors.RequestFilters(
        start=start,
        end=end,
        service_codes=_listed(request, "service_code"),
        statuses=statuses,
        ids=ids,
        jurisdiction=request.GET.get("jurisdiction_id", "").strip()[:40],
        page=_number(request, "page", 1, 1000),
        page_size=_number(request, "page_size", selectors.DEFAULT_PAGE_SIZE, selectors.MAX_PAGE_SIZE),
    )
