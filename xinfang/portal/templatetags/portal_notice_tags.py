"""``{% my_letter_notices letter %}``: the written notices of the writer's letter on its portal page."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.letters.models import Letter
from xinfang.notices.selectors import notices_of_letter

register = template.Library()


@register.inclusion_tag("portal/_notices.html")
def my_letter_notices(letter: Letter) -> dict[str, Any]:
    """The letter page has already fetched ``letter`` as one of the signed-in writer's own."""
    return {"notices": list(notices_of_letter(letter))}
