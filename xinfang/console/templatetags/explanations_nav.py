"""``{% explanation_waiting as waiting %}``: the open requests for the navigation link (None: no link)."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.accounts.models import User
from xinfang.explanations.selectors import waiting_for

register = template.Library()


@register.simple_tag(takes_context=True)
def explanation_waiting(context: dict[str, Any]) -> int | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    return waiting_for(user) if isinstance(user, User) else None
