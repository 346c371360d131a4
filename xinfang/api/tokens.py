"""Partner tokens: made in the admin, shown once, stored hashed, and looked up by one function.

A raw key reads ``xf_<prefix>_<secret>``: the prefix (8 hex digits, stored in clear) finds the row,
the whole key's SHA-256 is compared with the stored digest in constant time. The secret has 256
bits of entropy, so a plain digest is enough (a slow password hash would only slow every call).

``authenticate(raw_key, scope)`` is the one look-up every entry of the API uses (the partner API's
Bearer header, Open311's ``api_key``): it returns the token or raises ``TokenRefused``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.api.models import DEFAULT_RATE_PER_MINUTE, PartnerToken, Scope
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.orgs.models import Mailbox, Unit

KEY_PREFIX = "xf"
_NO_SUCH_TOKEN_DIGEST = hashlib.sha256(b"no such token").hexdigest()


class TokenRefused(Exception):
    """A key that is not accepted. ``status`` 401: unknown, expired or revoked (``code``
    ``unauthenticated``); 403: a valid token without the scope (``forbidden``). ``token`` is the
    token when the key named one (to audit the attempt under its name)."""

    def __init__(self, status: int, code: str, message: str, token: PartnerToken | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.token = status, code, message, token


def _digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def authenticate(raw_key: str, scope: str) -> PartnerToken:
    """The active token whose key is ``raw_key`` and which holds ``scope``; else ``TokenRefused``.

    1. The prefix (``xf_<prefix>_…``) finds at most one row; a missing row still costs one
       digest comparison, so timing does not tell an unknown prefix from a wrong secret.
    2. Expired and revoked tokens are refused like unknown ones (401).
    3. A token without ``scope`` is refused with 403.
    """
    parts = raw_key.strip().split("_", 2)
    prefix = parts[1] if len(parts) == 3 and parts[0] == KEY_PREFIX else ""
    token = (
        PartnerToken.objects.select_related("mailbox__owner", "unit").filter(prefix=prefix).first() if prefix else None
    )
    matches = hmac.compare_digest(_digest(raw_key.strip()), token.secret_hash if token else _NO_SUCH_TOKEN_DIGEST)
    if token is None or not matches or not token.is_active:
        raise TokenRefused(401, "unauthenticated", _("令牌无效、已过期或已吊销。"))
    if scope not in token.scopes:
        raise TokenRefused(403, "forbidden", _("该令牌没有此项权限：%(scope)s。") % {"scope": scope}, token)
    return token


def token_issue(
    *,
    actor: User | None,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime,
    mailbox: Mailbox | None = None,
    unit: Unit | None = None,
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
) -> tuple[PartnerToken, str]:
    """Make a token and return it with its raw key, which is never stored and cannot be shown again."""
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes {sorted(unknown)}")
    prefix = secrets.token_hex(4)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = PartnerToken(
        name=name, prefix=prefix, secret_hash=_digest(raw_key), mailbox=mailbox, unit=unit,
        scopes=sorted(set(scopes)), expires_at=expires_at, rate_per_minute=rate_per_minute, created_by=actor,
    )  # fmt: skip
    with transaction.atomic():
        token.full_clean(exclude=["secret_hash", "prefix"])
        token.save(force_insert=True)
        _audit(token, actor, "issued")
    return token, raw_key


def token_revoke(*, token: PartnerToken, actor: User | None) -> None:
    """Revoke the token: every later call with its key is refused (401). Revoking twice does nothing."""
    with transaction.atomic():
        if PartnerToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            _audit(token, actor, "revoked")
    token.refresh_from_db(fields=["revoked_at"])


def _audit(token: PartnerToken, actor: User | None, change: str) -> None:
    data = {"token": token.name, "prefix": token.prefix, "change": change, "scopes": list(token.scopes)}
    audit_record(kind=AuditKind.PERMISSION_CHANGE, actor=actor, subject=("api.partnertoken", token.prefix), data=data)
