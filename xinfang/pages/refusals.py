"""How a page shows that the domain refused: the one mapping from ``xinfang.errors.Refused`` to what
the user reads, for every page that calls a service (the console's and the portal's).

A service says no in one of two ways: ``Refused`` (its message, in the active language, is all
there is to show) or a ``ValidationError`` about the input (which may name its own fields). Both
end up on the form the user submitted, next to a field when the page knows which, their input kept.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xinfang.errors import Refused


def refusal_message(refusal: Refused) -> str:
    """What the user reads when the domain refuses (the refusal's own message, already translated)."""
    return str(refusal)


def refusal_to_form(form: forms.Form, refusal: Refused | ValidationError, field: str | None = None) -> None:
    """Put the refusal on ``form``: next to ``field``, or as an error of the whole form.

    A ``ValidationError`` that names its fields keeps them (``field`` is then not used)."""
    if isinstance(refusal, ValidationError):
        form.add_error(None if hasattr(refusal, "error_dict") else field, refusal)
    else:
        form.add_error(field, refusal_message(refusal))


def emergency_answer(words: list[str]) -> tuple[str, str]:
    """What a channel without a confirming page (the partner API, Open311) answers text that reads like
    an emergency in progress: the portal's "call 110", and which ``words`` were noticed."""
    call = f"{_('如果危险正在发生，请立即拨打 110')}。{_('本信箱不受理报警求助。紧急情况请立即拨打 110。')}"
    noticed = _("您写的内容看起来像是正在发生的紧急情况，我们注意到：") + " " + "、".join(words)
    return call, noticed
