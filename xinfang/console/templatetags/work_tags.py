"""Template helpers for the handler, leader and inspector pages."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.accounts.models import User

register = template.Library()


@register.simple_tag(takes_context=True)
def work_pages(context: dict[str, Any]) -> set[str]:
    """``{% work_pages as pages %}``: the work pages the signed-in user may open (``views_common.PAGE_ROLES``)."""
    from xinfang.console.views_common import pages_for

    user = getattr(context.get("request"), "user", None)
    return pages_for(user) if isinstance(user, User) else set()
