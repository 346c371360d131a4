"""The desk letter page's "link as a repeat" (链接为重复件): the one POST of the repeat-candidates panel.

The panel itself is ``templatetags/repeat_tags``; this view calls the ``letter_link_repeat`` service,
which refuses what the panel does not offer (another writer's letter, a letter the acceptor may not
see, a letter not at the desk), and turns a refusal into a message on the page.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role, User
from xinfang.console import services
from xinfang.letters import services as letters
from xinfang.letters.access import letter_for, letters_visible_to
from xinfang.letters.lifecycle import LifecycleError
from xinfang.pages.gates import staff_page
from xinfang.pages.refusals import refusal_message


@staff_page
@require_POST
def desk_link_repeat(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not user.has_role(Role.ACCEPTOR):
        raise PermissionDenied
    letter = letter_for(user, str(public_id))
    try:
        earlier_id = uuid.UUID(request.POST.get("earlier", ""))
        seen = int(request.POST.get("version", "-1") or -1)
    except ValueError:
        messages.error(request, _("请求无效，请刷新后再试。"))
        return redirect("console:desk_letter", public_id=letter.public_id)
    earlier = letters_visible_to(user).filter(public_id=earlier_id).first()
    try:
        if earlier is None:
            raise LifecycleError(_("只能关联同一信访人的另一封信件。"))
        services.ensure_fresh(letter, seen)
        letters.letter_link_repeat(letter=letter, earlier=earlier, actor=user)
    except LifecycleError as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(
            request, _("已将本件链接为 %(number)s 的重复件，两件将合并答复。") % {"number": earlier.tracking_number}
        )
    return redirect("console:desk_letter", public_id=letter.public_id)
