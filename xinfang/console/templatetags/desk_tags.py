"""Template helpers for the seat and front-desk pages and the identity block."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.accounts.models import User
from xinfang.letters import access
from xinfang.letters.models import Letter

register = template.Library()


@register.simple_tag(takes_context=True)
def may_reveal_identity(context: dict[str, Any], letter: Letter) -> bool:
    """``{% may_reveal_identity letter as can_reveal %}``: whether the signed-in user may reveal the writer."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return isinstance(user, User) and access.may_reveal_identity(user, letter)
