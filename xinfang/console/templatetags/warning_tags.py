"""``{% early_warning_count as count %}``: the inspector's warnings, for the navigation link (None: no link)."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.accounts.models import Role, User
from xinfang.analysis.early_warning import warnings_for

register = template.Library()


@register.simple_tag(takes_context=True)
def early_warning_count(context: dict[str, Any]) -> int | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or user.is_citizen or not user.has_role(Role.INSPECTOR):
        return None
    return warnings_for(user).count()
