"""Public pages of a mailbox that show no letter (issue 18 §2, §3): its figures, and the embedding
on a bureau's website.

- The statistics page reads the rollups through ``statistics.public`` (counts only), cached a few
  minutes per mailbox and month; the figures and their definitions come from ``statistics.figures``.
- ``/embed/<mailbox>.js`` is the one ``<script>`` a bureau's website adds: it shows a floating
  window (飘窗) or a pop-up (弹窗) framing ``/embed/<mailbox>/``, a small page that opens the mailbox
  in a new window. Only that page may be framed, and only by the origins set for the mailbox in
  the admin (``Content-Security-Policy: frame-ancestors``); every other page keeps refusing frames.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import cast

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from xinfang.middleware import content_security_policy
from xinfang.orgs.models import Mailbox
from xinfang.portal.selectors import mailbox_by_slug
from xinfang.statistics.figures import Figure, Totals
from xinfang.statistics.public import PUBLIC_FIGURES, last_months, mailbox_figures, subordinate_mailboxes, summed
from xinfang.statistics.rollup import last_counted_at

FIGURES_CACHE_SECONDS = 300
EMBED_SCRIPT_MAX_AGE = 300


def _shown(value: float | int | None, figure: Figure) -> str:
    """As the console shows a figure: "—" when nothing was counted, a percent sign for rates."""
    if value is None:
        return "—"
    return f"{value}%" if figure.unit == "%" else str(value)


def _cells(totals: Totals) -> list[str]:
    return [_shown(figure.compute(totals), figure) for figure in PUBLIC_FIGURES]


def _figures(box: Mailbox, others: list[Mailbox], months: list[dt.date]) -> dict[int, dict[dt.date, Totals]]:
    below = hashlib.sha256(",".join(str(o.pk) for o in others).encode()).hexdigest()[:16]  # a new mailbox below
    key = f"xinfang:public-figures:{box.pk}:{months[-1]:%Y-%m}:{below}"
    result = cache.get(key)
    if result is None:
        result = mailbox_figures(box, others, months)
        cache.set(key, result, FIGURES_CACHE_SECONDS)
    return cast("dict[int, dict[dt.date, Totals]]", result)


def _chart(months: list[dt.date], by_month: dict[dt.date, Totals]) -> dict[str, object]:
    """The chart's data (the same numbers as the table): counts as bars, rates as lines."""
    series = [
        {"name": str(figure.label), "unit": figure.unit, "values": [figure.compute(by_month[m]) for m in months]}
        for figure in PUBLIC_FIGURES
        if figure.unit != "days"
    ]
    return {"labels": [f"{m:%Y-%m}" for m in months], "series": series}


@require_GET
def statistics(request: HttpRequest, slug: str) -> HttpResponse:
    """The mailbox's figures by month for the last 12 months, and those of the mailboxes below it."""
    box = mailbox_by_slug(slug)
    months = last_months()
    others = subordinate_mailboxes(box)
    data = _figures(box, others, months)
    own = data[box.pk]
    context = {
        "mailbox": box,
        "figures": PUBLIC_FIGURES,
        "months": [(f"{m:%Y-%m}", _cells(own[m])) for m in reversed(months)],
        "total": _cells(summed(own)),
        "chart": _chart(months, own),
        "others": [(other, _cells(summed(data[other.pk]))) for other in others if other.pk in data],
        "first": months[0],
        "last": months[-1],
        "counted_at": last_counted_at(),
    }
    return render(request, "portal/statistics.html", context)


# ---------------------------------------------------------------- embedding


@require_GET
def embed_script(request: HttpRequest, slug: str) -> HttpResponse:
    """The script a bureau's website adds; it draws the floating window or the pop-up."""
    box = mailbox_by_slug(slug)
    config = {
        "frame": request.build_absolute_uri(reverse("portal:embed_frame", args=[box.slug])),
        "origins": box.allowed_origins,
        "style": box.embed_style,
        "title": box.display_name,
        "open": _("写信"),
        "close": _("关闭"),
    }
    # JSON inside a script: "<" escaped so that no "</script>" can end a surrounding tag.
    body = render_to_string("portal/embed/loader.js", {"config": json.dumps(config).replace("<", "\\u003c")})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={EMBED_SCRIPT_MAX_AGE}"
    response["Vary"] = "Accept-Language, Cookie"
    return response


@xframe_options_exempt
@require_GET
def embed_frame(request: HttpRequest, slug: str) -> HttpResponse:
    """What the floating window or pop-up shows: the mailbox in brief, opening it in a new window."""
    box = mailbox_by_slug(slug)
    response = render(request, "portal/embed/frame.html", {"mailbox": box})
    response["Content-Security-Policy"] = content_security_policy(frame_ancestors=box.allowed_origins)
    return response
