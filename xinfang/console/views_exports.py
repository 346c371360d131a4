"""Every staff letter list exports to .xlsx through one path (issue 19 §2).

:data:`LISTS` names each list the console shows, who may open it and how its letters are chosen
from the request (the same selectors and filter forms as the list page); :func:`letter_list_response`
hands them to ``statistics.exports.letters_export``, which keeps only what the viewer may see,
masks the writers, records the export and, for a long list, leaves the file to the worker. The
requester then downloads it from "My exports" (:func:`exports_page`), and nobody else can.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from xinfang.accounts.models import User
from xinfang.console import forms_work as f
from xinfang.console import selectors_work as sel
from xinfang.console.actions import DESK_ROLE
from xinfang.console.selectors_desk import desk_queue
from xinfang.console.views_common import PAGE_ROLES, signed_in
from xinfang.console.views_oversight import supervision_filters
from xinfang.console.views_work import _filters as work_filters
from xinfang.letters.models import Letter
from xinfang.pages.downloads import download, download_bytes
from xinfang.pages.gates import staff_page
from xinfang.statistics import exports
from xinfang.statistics.models import ExportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class LetterList:
    title: Promise
    roles: tuple[str, ...]
    letters: Callable[[HttpRequest, User], QuerySet[Letter]]


def _work(request: HttpRequest, user: User) -> QuerySet[Letter]:
    return sel.work_queue(user, work_filters(f.WorkFilterForm(request.GET or None)))


def _supervision(request: HttpRequest, user: User) -> QuerySet[Letter]:
    filters, _unit = supervision_filters(f.SupervisionFilterForm(request.GET or None))
    return sel.supervision_letters(user, filters)


LISTS: dict[str, LetterList] = {
    "desk": LetterList(gettext_lazy("受理台待办信件"), (DESK_ROLE,), lambda request, user: desk_queue(user)),
    "work": LetterList(gettext_lazy("工作台信件"), PAGE_ROLES["work"], _work),
    "approvals": LetterList(gettext_lazy("待审批信件"), PAGE_ROLES["approvals"],
                            lambda request, user: sel.approvals_inbox(user)),
    "important": LetterList(gettext_lazy("重要信件"), PAGE_ROLES["important"],
                            lambda request, user: sel.important_letters(user)),
    "supervision": LetterList(gettext_lazy("督查信件"), PAGE_ROLES["supervision"], _supervision),
}  # fmt: skip


def _filters_of(request: HttpRequest) -> dict[str, str]:
    """The list's filter as asked, for the sheet's title and the audit entry; free text by its length only."""
    out: dict[str, str] = {}
    for key, value in request.GET.items():
        if not value or key == "page":
            continue
        out[key] = _("（%(n)s 个字）") % {"n": len(value)} if key == "q" else str(value)[:60]
    return out


def letter_list_response(request: HttpRequest, letters: QuerySet[Letter], spec: exports.ListExport) -> HttpResponseBase:
    """The one way a letter list leaves the console: the file now, or the worker's job and a link later."""
    made = exports.letters_export(viewer=signed_in(request), letters=letters, spec=spec)
    if made.data is not None:
        name = f"{spec.what.replace(':', '-')}-{request.user.pk}.xlsx"
        return download_bytes(made.data, filename=name, content_type=XLSX)
    messages.info(request, _("共 %(n)s 封信件，导出文件将在后台生成；生成后可在本页下载。") % {"n": made.rows})
    return redirect("console:exports")


@staff_page
@require_GET
def letter_list_export(request: HttpRequest, name: str) -> HttpResponseBase:
    """``/console/export/<list>.xlsx?<the list's own filter>``: the list as its page shows it, all pages."""
    letter_list = LISTS.get(name)
    if letter_list is None:
        raise Http404
    user = signed_in(request)
    if not set(letter_list.roles) & user.role_set:
        raise PermissionDenied
    spec = exports.ListExport(
        what=f"list:{name}", title=str(letter_list.title), unit_name=user.unit.name if user.unit else "",
        period=_("当前清单，截至导出时间"), filters=_filters_of(request), unit_code=user.unit.code if user.unit else "",
    )  # fmt: skip
    return letter_list_response(request, letter_list.letters(request, user), spec)


@staff_page
@require_GET
def exports_page(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own large exports, with a download link once the worker has made each."""
    jobs = list(exports.exports_of(signed_in(request))[:50])
    for job in jobs:  # the list's name in the reader's language, not the one it was asked for in
        listed = LISTS.get(job.what.removeprefix("list:"))
        job.title = str(listed.title) if listed is not None else job.title
    return render(request, "console/exports.html", {"jobs": jobs, "expired_note": exports.expired_note(brief=True)})


@staff_page
@require_GET
def export_download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """The file; a link to one not (or no longer) there leads back to "My exports", which says why."""
    job = exports.export_for(signed_in(request), str(public_id))
    if job is None:
        raise Http404
    if job.status != ExportStatus.READY:
        if job.status == ExportStatus.EXPIRED:
            messages.warning(request, exports.expired_note())
        return redirect("console:exports")
    return download(job.file.open("rb"), filename=f"{job.what.replace(':', '-')}-{job.created_at:%Y%m%d%H%M}.xlsx",
                    content_type=XLSX)  # fmt: skip
