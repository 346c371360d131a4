"""Public pages for citizens: the front door, mailbox pages, published letters, places, lookup."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.orgs.selectors import active_bureau_by_code, mailboxes_by_province, place_children
from xinfang.pages import throttling
from xinfang.portal.channels import entry_query
from xinfang.portal.forms import LookupForm
from xinfang.portal.selectors import (
    citizen_due_dates,
    citizen_timeline,
    letter_by_lookup,
    letter_by_public_id,
    mailbox_by_slug,
    mailbox_promises,
    mailbox_time_limits,
    publications_of,
)
from xinfang.vocabulary import LetterType

LOOKUP_GRANTS = "portal_lookups"
# Query codes are 16 random characters: what the limits stop is guessing from one place, and a
# lock never follows the tracking number alone, or anyone could lock the writer out of their letter.
LOOKUP_PER_CLIENT = 30  # attempts per window from one address, whatever the numbers (generous: shared addresses)
LOOKUP_PER_PAIR = 5  # wrong codes per window for one tracking number from one address
LOOKUP_WINDOW = 15 * 60


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front door: every open mailbox, grouped by province."""
    national, provinces = mailboxes_by_province()
    return render(request, "portal/home.html", {"national": national, "provinces": provinces})


@require_GET
def mailbox(request: HttpRequest, slug: str) -> HttpResponse:
    box = mailbox_by_slug(slug)
    context = {
        "mailbox": box,
        "letter_types": [LetterType(t).label for t in box.letter_types],
        "time_limits": mailbox_time_limits(box),
        "promises": mailbox_promises(box),
        "latest": publications_of(box)[:3],
        "entry": entry_query(request, box),  # a menu's ?ch= goes on to the write form (portal.channels)
    }
    return render(request, "portal/mailbox.html", context)


@require_GET
def places(request: HttpRequest, code: str) -> JsonResponse:
    """The places one level under ``code``, for the pickers of the write form."""
    parent = active_bureau_by_code(code)
    if parent is None:
        raise Http404
    children = [{"code": u.code, "name": u.division_display or u.display_name} for u in place_children(parent)]
    return JsonResponse({"places": children})


def _lookup_refusal(request: HttpRequest, form: LookupForm) -> str | None:
    """Why this attempt is refused before looking (too many tries), or None."""
    address = throttling.client_address(request.META)
    if throttling.hit("lookup-client", address, window_seconds=LOOKUP_WINDOW) > LOOKUP_PER_CLIENT:
        return _("查询次数过多，请 15 分钟后再试。")
    if throttling.count("lookup-pair", _lookup_pair(address, form)) >= LOOKUP_PER_PAIR:
        return _("该编号查询失败次数过多，请稍后再试。")
    return None


def _lookup_pair(address: str, form: LookupForm) -> str:
    number = "".join(form.cleaned_data["tracking_number"].split()).upper()
    return f"{address} {number}"


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Find a letter without an account, by tracking number and query code (throttled)."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = _lookup_refusal(request, form)
        letter = (
            None if refusal else letter_by_lookup(form.cleaned_data["tracking_number"], form.cleaned_data["query_code"])
        )
        if letter is not None:
            grants = [*request.session.get(LOOKUP_GRANTS, [])[-9:], str(letter.public_id)]
            request.session[LOOKUP_GRANTS] = grants
            return redirect("portal:lookup_letter", public_id=letter.public_id)
        if refusal is None:
            pair = _lookup_pair(throttling.client_address(request.META), form)
            throttling.hit("lookup-pair", pair, window_seconds=LOOKUP_WINDOW)
        form.add_error(None, refusal or _("信件编号或查询码不正确。"))
    response = render(request, "portal/lookup.html", {"form": form})
    add_never_cache_headers(response)
    return response


@require_GET
def lookup_letter(request: HttpRequest, public_id: str) -> HttpResponse:
    """A letter found by lookup in this session: its progress and the reply, read only."""
    if str(public_id) not in request.session.get(LOOKUP_GRANTS, []):
        raise Http404
    letter = letter_by_public_id(str(public_id))
    context = {"letter": letter, "timeline": citizen_timeline(letter), "due_dates": citizen_due_dates(letter)}
    response = render(request, "portal/lookup_letter.html", context)
    add_never_cache_headers(response)
    return response
