"""Turning a kind, a language and a few values into the texts a recipient reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.template import Context, Engine
from django.utils import translation

from xinfang.notifications.defaults import DEFAULTS
from xinfang.notifications.models import NotificationTemplate

# No loaders: an administrator's template cannot include files from the server; no escaping:
# these are plain texts (the inbox escapes when it shows them).
ENGINE = Engine(loaders=[], autoescape=False)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    sms: str | None


def compile_text(text: str) -> None:
    """Raise ``TemplateSyntaxError`` if ``text`` is not a valid template (the admin form calls this)."""
    ENGINE.from_string(text)


def wording(kind: str, language: str) -> tuple[str, str, str | None]:
    """The administrator's wording for ``kind`` in ``language`` if there is one, else the default."""
    default = DEFAULTS[kind]
    override = NotificationTemplate.objects.filter(kind=kind, language=language).first()
    with translation.override(language):
        default_sms = str(default.sms) if default.sms is not None else None
        if override is None:
            return str(default.title), str(default.body), default_sms
    # An override's empty SMS text keeps the default: the kinds that go by SMS are fixed in code.
    sms = (override.sms or default_sms) if default_sms is not None else None
    return override.title, override.body, sms


def render(kind: str, language: str, values: Mapping[str, object]) -> Rendered:
    title, body, sms = wording(kind, language)
    with translation.override(language):
        context = {name: str(value) for name, value in values.items()}

        def fill(text: str) -> str:
            return ENGINE.from_string(text).render(Context(context, autoescape=False)).strip()

        return Rendered(title=fill(title)[:200], body=fill(body), sms=fill(sms) if sms is not None else None)
