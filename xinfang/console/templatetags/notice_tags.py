"""``{% letter_notices letter %}``: the written notices of a letter on its console page, each a download."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.letters.models import Letter
from xinfang.notices.selectors import notices_of_letter

register = template.Library()


@register.inclusion_tag("console/notices/_list.html")
def letter_notices(letter: Letter) -> dict[str, Any]:
    """The page that includes this has already checked that the viewer may open ``letter``."""
    return {"notices": list(notices_of_letter(letter))}
