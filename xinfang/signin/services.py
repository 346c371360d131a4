"""Writes for staff sign-in: second-factor devices, recovery codes, session records, disabling an account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django_otp.models import Device, ThrottlingMixin
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.accounts.models import User
from xinfang.accounts.signals import second_factor_changed, staff_disabled
from xinfang.signin.models import StaffSession

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it, or why not.

    ``throttled`` means the code was not even looked at because the last wrong one was too recent;
    ``retry_at`` says when the next try is allowed.
    """

    device: Device | None
    throttled: bool = False
    retry_at: dt.datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.device is not None


def normalise_code(code: str) -> str:
    """Authenticator apps show ``123 456``; recovery codes are printed in lower case."""
    return "".join(code.split()).lower()


def is_totp_shaped(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def _check_throttled(device: ThrottlingMixin, code: str) -> CodeCheck:
    """Verify ``code`` on a device locked for update; a throttled device refuses without looking at the code."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(device=None, throttled=True, retry_at=(info or {}).get("locked_until"))
    if device.verify_token(code):
        return CodeCheck(device=device)
    allowed, info = device.verify_is_allowed()
    return CodeCheck(device=None, retry_at=None if allowed else (info or {}).get("locked_until"))


def second_factor_check(*, user: User, code: str) -> CodeCheck:
    """Check a code from the authenticator (six digits) or a recovery code (anything else).

    Caveats:
    1. Only confirmed devices count; an enrolment in progress cannot be used to sign in.
    2. The device row is locked for the check, so two requests cannot both use one code or both
       slip past the throttle; django-otp doubles the wait after each wrong code (1, 2, 4 … s).
    3. A recovery code is deleted when it is used.
    """
    code = normalise_code(code)
    model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if is_totp_shaped(code) else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            return CodeCheck(device=None)
        return _check_throttled(device, code)


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """A new unconfirmed authenticator with a fresh secret; earlier unfinished enrolments are dropped.

    A fresh secret every time means that whoever saw an earlier, unfinished enrolment page cannot
    know the secret that is finally confirmed.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_enrolment_confirm(*, user: User, device_id: int, code: str) -> CodeCheck:
    """Confirm an enrolment with a code from the new authenticator; it then replaces any earlier one.

    Other sessions verified with the replaced authenticator lose their second factor at their
    next request (django-otp's middleware drops a device that no longer exists).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
        if device is None:
            return CodeCheck(device=None)
        check = _check_throttled(device, normalise_code(code))
        if check.accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            second_factor_changed.send(sender=TOTPDevice, user=user, change="authenticator")
        return check


def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones and return them (they are shown once).

    The device itself is kept, so that a session verified with one of the old codes stays verified.
    """
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user).order_by("pk").first() or StaticDevice.objects.create(
            user=user, name=RECOVERY_DEVICE_NAME, confirmed=True
        )
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        second_factor_changed.send(sender=StaticDevice, user=user, change="recovery_codes")
    return codes


def staff_session_record(*, user: User, session_key: str, at: dt.datetime) -> None:
    StaffSession.objects.update_or_create(session_key=session_key, defaults={"user": user, "signed_in_at": at})


def staff_session_forget(*, session_key: str) -> None:
    StaffSession.objects.filter(session_key=session_key).delete()


def staff_sessions_end(*, user: User) -> int:
    """Delete every recorded session of ``user`` from the session store; returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store().delete(key)
    StaffSession.objects.filter(user=user, session_key__in=keys).delete()
    return len(keys)


def staff_disable(*, user: User, actor: User | None) -> User:
    """Disable a staff account and end its sessions at once.

    ``is_active=False`` alone already stops the next request (Django's backend no longer loads an
    inactive user); deleting the sessions as well leaves nothing behind to revive.
    """
    with transaction.atomic():
        ended = staff_sessions_end(user=user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        staff_disabled.send(sender=User, user=user, actor=actor, sessions_ended=ended)
    return user
