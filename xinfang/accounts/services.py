"""Writes to accounts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction

from xinfang.accounts.models import CitizenIdentity, RoleGrant, User
from xinfang.orgs.models import Unit


def staff_create(
    *,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    unit: Unit,
    roles: Iterable[str],
    actor: User | None,
    full_name: str = "",
    email: str = "",
    language: str = "zh-hans",
) -> User:
    """Create a staff account in ``unit`` holding ``roles``.

    ``password_hash`` (from ``make_password``) lets a batch share one slow hash instead of one each.
    """
    if (password is None) == (password_hash is None):
        raise ValueError("give exactly one of password and password_hash")
    with transaction.atomic():
        user = User(username=username, kind=User.Kind.STAFF, unit=unit, email=email, language=language)
        user.first_name = full_name
        if password_hash is not None:
            user.password = password_hash
        else:
            user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        staff_set_roles(user=user, roles=roles, actor=actor)
    return user


def staff_set_roles(*, user: User, roles: Iterable[str], actor: User | None) -> User:
    """Replace the roles a staff user holds."""
    wanted = set(roles)
    with transaction.atomic():
        user.role_grants.exclude(role__in=wanted).delete()
        have = set(user.role_grants.values_list("role", flat=True))
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=r, granted_by=actor) for r in wanted - have)
    user.__dict__.pop("_role_set", None)
    return user


def citizen_create(
    *,
    real_name: str,
    id_number: str,
    phone: str,
    password: str | None,
    phone_verified_at: dt.datetime | None,
    address: str = "",
    language: str = "zh-hans",
) -> User:
    """Create a citizen account with its real-name identity (validated by the caller's form).

    The username is internal (citizens sign in with their mobile number); ``password=None``
    leaves an account that can only sign in with an SMS code.
    """
    with transaction.atomic():
        user = User(username=f"c-{uuid.uuid4().hex[:20]}", kind=User.Kind.CITIZEN, language=language)
        user.first_name = real_name
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        CitizenIdentity.objects.create(
            user=user,
            real_name=real_name,
            id_number=id_number.upper(),
            phone=phone,
            phone_verified_at=phone_verified_at,
            address=address,
        )
    return user
