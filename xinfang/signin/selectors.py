"""Reads for staff sign-in."""

from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.accounts.models import User


def staff_member(user_id: int) -> User | None:
    """The active staff account with this id, or None (a citizen or a disabled account never signs in here)."""
    return User.objects.filter(pk=user_id, kind=User.Kind.STAFF, is_active=True).first()


def authenticator_of(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_in_progress(user: User, device_id: int | None) -> TOTPDevice | None:
    """The unconfirmed authenticator this session is enrolling, if it still exists."""
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()


def authenticator_or_enrolment(user: User) -> TOTPDevice | None:
    """The enrolled authenticator, else the newest one waiting on an enrolment page."""
    return authenticator_of(user) or TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
