"""A letter's receipt as a download: the writer's (portal) and, for a caller, the seat's (console)."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse

from xinfang.audit.selectors import receipt_for
from xinfang.letters.models import Letter


def receipt_download(letter: Letter) -> HttpResponse:
    """The receipt as a JSON file; the callers have checked that the user may have it."""
    receipt = receipt_for(letter)
    if receipt is None:
        raise Http404
    response = JsonResponse(receipt, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="receipt-{letter.tracking_number}.json"'
    response["Cache-Control"] = "no-store"
    return response
