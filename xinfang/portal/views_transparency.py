"""The transparency log in public: signed tree heads and proofs (JSON), a writer's receipt, and the verifier page.

Everything here is public except the receipt downloads, which follow the letter's own pages (the
writer signed in, or a lookup granted in this session). Hashes are lowercase hex throughout.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.audit import merkle
from xinfang.audit.outcomes import receipt_outcomes
from xinfang.audit.receipts import check_receipt
from xinfang.audit.sealing import head_json, public_key_hex
from xinfang.audit.selectors import consistency_proof, inclusion_proof, tree_head_at, tree_head_latest
from xinfang.letters.access import letter_for
from xinfang.pages.receipts import receipt_download
from xinfang.portal.security import citizen_page, signed_in_citizen
from xinfang.portal.selectors import letter_by_public_id
from xinfang.portal.views import LOOKUP_GRANTS

RECEIPT_LIMIT = 64 * 1024


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _size(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


@require_GET
def head(request: HttpRequest) -> JsonResponse:
    latest = tree_head_latest()
    if latest is None:
        return _error("no signed tree head yet", 404)
    return JsonResponse(head_json(latest))


@require_GET
def head_at(request: HttpRequest, size: int) -> JsonResponse:
    found = tree_head_at(size)
    if found is None:
        return _error("no signed tree head of that size", 404)
    return JsonResponse(head_json(found))


@require_GET
def consistency(request: HttpRequest) -> JsonResponse:
    first, second = _size(request.GET.get("first")), _size(request.GET.get("second"))
    if first is None or second is None or first > second or tree_head_at(second) is None:
        return _error("first and second must be sizes of signed heads, first <= second")
    return JsonResponse({"first": first, "second": second, "proof": consistency_proof(first, second)})


@require_GET
def inclusion(request: HttpRequest) -> JsonResponse:
    index, size = _size(request.GET.get("leaf_index")), _size(request.GET.get("tree_size"))
    if index is None or size is None or index >= size or tree_head_at(size) is None:
        return _error("leaf_index must be below tree_size, and tree_size the size of a signed head")
    return JsonResponse({"leaf_index": index, "tree_size": size, "proof": inclusion_proof(index, size)})


@citizen_page
@require_GET
def receipt_mine(request: HttpRequest, public_id: str) -> HttpResponse:
    citizen = signed_in_citizen(request)
    assert citizen is not None  # citizen_page let the request through
    return receipt_download(letter_for(citizen, str(public_id)))


@require_GET
def receipt_looked_up(request: HttpRequest, public_id: str) -> HttpResponse:
    if str(public_id) not in request.session.get(LOOKUP_GRANTS, []):
        raise Http404
    return receipt_download(letter_by_public_id(str(public_id)))


class VerifyForm(forms.Form):
    receipt = forms.CharField(
        label=gettext_lazy("回执（JSON）"),
        required=False,
        max_length=RECEIPT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=gettext_lazy("粘贴下载的回执文件的内容，或在下面选择文件。"),
    )
    receipt_file = forms.FileField(label=gettext_lazy("或选择回执文件"), required=False)
    text = forms.CharField(
        label=gettext_lazy("信件正文（可不填）"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("填写后还会核对正文与回执是否一致。正文只在本次核对中使用，不会保存。"),
    )
    consistency = forms.BooleanField(
        label=gettext_lazy("同时核对最新的签名树头是否包含回执中的树头（一致性证明）"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("receipt_file")
        raw = upload.read(RECEIPT_LIMIT + 1).decode("utf-8", "replace") if upload else data.get("receipt", "")
        if not raw.strip():
            self.add_error("receipt", _("请粘贴回执或选择回执文件。"))
            return data
        try:
            data["parsed"] = json.loads(raw)
        except ValueError:
            self.add_error("receipt", _("这不是一份完整的回执：内容不是有效的 JSON。"))
        return data


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Check a receipt (and optionally the letter's text); anyone may, without signing in."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "public_key": public_key_hex()}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"] or None
        result = check_receipt(form.cleaned_data["parsed"], text=text, trusted_keys=frozenset({public_key_hex()}))
        context["result"] = {"valid": result.valid, "code": result.code, "message": receipt_outcomes()[result.code]}
        if result.valid and form.cleaned_data["consistency"] and result.tree_size is not None:
            context["consistency"] = _consistent_with_latest(form.cleaned_data["parsed"]["tree_head"])
    return render(request, "portal/transparency_verify.html", context)


def _consistent_with_latest(old: dict[str, Any]) -> str:
    latest = tree_head_latest()
    if latest is None:
        return _("没有签名树头可供比较。")
    proof = [bytes.fromhex(h) for h in consistency_proof(old["tree_size"], latest.tree_size)]
    ok = merkle.verify_consistency(
        old["tree_size"],
        latest.tree_size,
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(latest.root_hash),
        proof,
    )
    values = {"old": old["tree_size"], "new": latest.tree_size}
    if ok:
        return _("一致：最新的签名树头（%(new)d 条）包含回执中的树头（%(old)d 条），这封信的记录仍在日志中。") % values
    return _("不一致：最新的签名树头（%(new)d 条）与回执中的树头（%(old)d 条）不相容，日志被改写过。") % values
