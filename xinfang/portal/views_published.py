"""A mailbox's published letters: the list with search and filters, and one letter with its reply
(issue 18 §1). Only approved publications are shown (``publication.selectors.published``); the list
is paged without counting every match (``publication.selectors.public_page``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xinfang.portal.forms import PublishedSearchForm
from xinfang.portal.selectors import mailbox_by_slug
from xinfang.publication.selectors import PublicFilters, public_page, published_one


@require_GET
def published_list(request: HttpRequest, slug: str) -> HttpResponse:
    box = mailbox_by_slug(slug)
    form = PublishedSearchForm(request.GET)
    filters = form.filters()
    number = request.GET.get("page", "")
    page = public_page(box, filters, int(number) if number.isdigit() else 1)
    context = {
        "mailbox": box,
        "form": form,
        "query": filters.query,
        "filtered": filters != PublicFilters(),
        "page": page,
    }
    return render(request, "portal/published_list.html", context)


@require_GET
def published_detail(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    box = mailbox_by_slug(slug)
    publication = published_one(box, str(public_id))
    return render(request, "portal/published_detail.html", {"mailbox": box, "publication": publication})
