"""``{% letter_attachments letter as files %}``: the attachments the signed-in person may open, each
with how the page previews it (an image, a PDF, or not at all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from xinfang.accounts.models import User
from xinfang.letters.attachments import attachments_visible_to
from xinfang.letters.models import Attachment, Letter
from xinfang.pages.views_files import PREVIEW_DOCUMENTS, PREVIEW_IMAGES

register = template.Library()


@dataclass(frozen=True)
class Shown:
    file: Attachment
    preview: str  # "image", "pdf" or ""


@register.simple_tag(takes_context=True)
def letter_attachments(context: dict[str, Any], letter: Letter) -> list[Shown]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return []
    files = attachments_visible_to(user, letter).filter(message__isnull=True).order_by("uploaded_at", "pk")
    return [Shown(file, _preview(file)) for file in files]


def _preview(file: Attachment) -> str:
    if file.content_type in PREVIEW_IMAGES and file.sanitised:
        return "image"
    if file.content_type in PREVIEW_DOCUMENTS:
        return "pdf"
    return ""
