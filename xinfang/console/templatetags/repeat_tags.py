"""``{% repeat_candidates letter %}``: the desk letter page's panel of earlier letters on the same matter.

The panel asks ``analysis.repeats`` for the candidates the viewer may see (the letter's signature is
computed on the spot if the worker has not indexed it yet), and for each whether linking it as a
repeat would be allowed: ``LINK_REPEAT`` is not among ``available_actions`` (it needs a second
letter), so the panel asks the same refusal the ``letter_link_repeat`` service applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinfang.accounts.models import User
from xinfang.analysis.repeats import Candidate, repeat_candidates
from xinfang.letters.access import transition_refusal
from xinfang.letters.lifecycle import Action
from xinfang.letters.models import Letter

register = template.Library()


@dataclass(frozen=True)
class Row:
    candidate: Candidate
    percent: int
    keys: list[str]
    linkable: bool
    reason: str


def _keys(candidate: Candidate) -> list[str]:
    labels = {
        "writer": _("同一信访人"),
        "badge": _("警号"),
        "plate": _("车牌"),
        "officer": _("民警"),
        "unit": _("单位"),
        "accused": _("被反映单位"),
        "amount": _("金额"),
        "place": _("事发地"),
    }
    shown = []
    for kind, values in candidate.shared.items():
        if kind in ("writer", "accused", "place"):
            shown.append(str(labels[kind]))
        else:
            shown.append(f"{labels[kind]} {pgettext('list separator', '、').join(values)}")
    return shown


def _refusal(user: User, letter: Letter, candidate: Candidate) -> str:
    reason = transition_refusal(user, letter, Action.LINK_REPEAT)
    if reason:
        return reason
    if letter.repeat_of_id is not None:
        return _("本件已链接为重复件。")
    if not candidate.same_writer:
        return _("不是同一信访人的来信，不能链接为重复件；可在办理时参考。")
    return ""


@register.inclusion_tag("console/desk/_repeat_candidates.html", takes_context=True)
def repeat_candidates_panel(context: dict[str, Any], letter: Letter) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or user.is_citizen:
        return {"rows": None}
    rows = []
    for candidate in repeat_candidates(letter, user):
        reason = _refusal(user, letter, candidate)
        rows.append(Row(candidate, round(candidate.score * 100), _keys(candidate), not reason, reason))
    return {"rows": rows, "letter": letter, "csrf_token": context.get("csrf_token")}
