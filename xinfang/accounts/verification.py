"""Real-name verification: the one small interface in front of the ways a citizen proves who they are.

Two back-ends, named in ``settings.XINFANG_IDENTITY_BACKENDS`` (docs/operations.md):

- ``oidc``: sign-in through the provincial unified identity platform over OpenID Connect
  (``accounts.oidc``). The platform has checked name, ID number and phone; they arrive in a
  signed ID token and become the citizen's verified identity (``identity_from_claims``).
- ``format``: the sign-up form with an SMS code. Only the ID number's format (check digit, birth
  date) and the phone are checked; nothing proves that name and number belong together. Pages
  label it "format check only", and production refuses it unless the operator has set
  ``XINFANG_IDENTITY_ALLOW_FORMAT_ONLY`` (``enabled_backends`` and the deploy check below).

A page asks ``backend_enabled(name)``; a verified identity is turned into a signed-in account by
``services.citizen_sign_in_verified``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xinfang.accounts.id_numbers import validate_mobile, validate_resident_id
from xinfang.errors import Refused

logger = logging.getLogger(__name__)

OIDC = "oidc"
FORMAT_ONLY = "format"
KNOWN_BACKENDS = (OIDC, FORMAT_ONLY)


class VerificationFailed(Refused):
    """Real-name verification did not succeed; ``str(self)`` says why, for the citizen."""


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the identity platform says the citizen is: the values the citizen's identity is filled with."""

    real_name: str
    id_number: str
    phone: str
    method: str


def provider_name() -> str:
    """The identity platform's name as the portal shows it."""
    return settings.XINFANG_OIDC_PROVIDER_NAME or _("省统一身份认证平台")


def oidc_configured() -> bool:
    names = ("XINFANG_OIDC_ISSUER", "XINFANG_OIDC_CLIENT_ID", "XINFANG_OIDC_CLIENT_SECRET")
    return all(getattr(settings, name) for name in names)


def format_only_refused() -> bool:
    """True where the format-only back-end may not be used: production, unless the operator allowed it."""
    return bool(settings.PRODUCTION) and not settings.XINFANG_IDENTITY_ALLOW_FORMAT_ONLY


def enabled_backends() -> tuple[str, ...]:
    """The back-ends citizens may use now, in the configured order.

    ``oidc`` needs its issuer, client id and secret; ``format`` is dropped in production unless
    the operator allowed it. An unknown name is ignored here (the deploy check names it).
    """
    enabled = []
    for name in settings.XINFANG_IDENTITY_BACKENDS:
        if (name == OIDC and oidc_configured()) or (name == FORMAT_ONLY and not format_only_refused()):
            enabled.append(name)
    return tuple(enabled)


def backend_enabled(name: str) -> bool:
    return name in enabled_backends()


def _claim(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def identity_from_claims(claims: Mapping[str, Any]) -> VerifiedIdentity:
    """The verified identity in the platform's claims: ``name``, the ID-number claim
    (``XINFANG_OIDC_ID_NUMBER_CLAIM``) and ``phone_number``, each checked as the sign-up form
    checks them. A missing or malformed claim refuses the sign-in and names what is missing.
    """
    from xinfang.accounts.services import validate_real_name  # services builds on this module

    fields = {
        "real_name": (_claim(claims, "name"), validate_real_name, _("姓名")),
        "id_number": (_claim(claims, settings.XINFANG_OIDC_ID_NUMBER_CLAIM), validate_resident_id, _("身份证号码")),
        "phone": (_claim(claims, "phone_number"), validate_mobile, _("手机号码")),
    }
    values: dict[str, str] = {}
    for key, (raw, validate, label) in fields.items():
        try:
            if not raw:
                raise ValidationError("missing")
            values[key] = validate(raw)
        except ValidationError as exc:
            logger.warning("identity platform claim %s refused: %s", key, exc.messages)
            raise VerificationFailed(
                _("%(platform)s没有提供有效的%(what)s，无法完成实名认证。请在该平台完善信息后重试。")
                % {"platform": provider_name(), "what": label}
            ) from exc
    return VerifiedIdentity(method=OIDC, **values)


# ---------------------------------------------------------------- the deploy check


def check_identity_verification(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``manage.py check --deploy``: production verifies real names for real, or says why not."""
    errors: list[checks.CheckMessage] = []
    configured = settings.XINFANG_IDENTITY_BACKENDS
    for name in configured:
        if name not in KNOWN_BACKENDS:
            errors.append(
                checks.Error(
                    f"XINFANG_IDENTITY_BACKENDS names an unknown back-end {name!r}",
                    hint="Use oidc and/or format.",
                    id="accounts.E001",
                )
            )
    if OIDC in configured and not oidc_configured():
        errors.append(
            checks.Error(
                "The oidc identity back-end needs XINFANG_OIDC_ISSUER, XINFANG_OIDC_CLIENT_ID and "
                "XINFANG_OIDC_CLIENT_SECRET.",
                id="accounts.E002",
            )
        )
    if settings.PRODUCTION and FORMAT_ONLY in configured and format_only_refused():
        errors.append(
            checks.Error(
                "The format-only identity back-end (XINFANG_IDENTITY_BACKENDS has format) checks the ID "
                "number's format only, not that name and number belong together.",
                hint="Configure the identity platform (oidc), or set XINFANG_IDENTITY_ALLOW_FORMAT_ONLY=1 "
                "if the operator accepts format-only checks. Until then the sign-up form is refused.",
                id="accounts.E003",
            )
        )
    if settings.PRODUCTION and not enabled_backends():
        errors.append(
            checks.Error(
                "No real-name verification back-end is usable: citizens cannot sign up.",
                hint="Set XINFANG_OIDC_ISSUER, XINFANG_OIDC_CLIENT_ID and XINFANG_OIDC_CLIENT_SECRET.",
                id="accounts.E004",
            )
        )
    return errors
