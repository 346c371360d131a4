"""What the audit log listens to (connected in ``AuditConfig.ready``).

Every receiver runs inside the sender's transaction where the sender has one (the letters
services, the console's identity reveal), so the audit row and the change commit together; an
exception here aborts the change. Payloads carry codes, states and ids, never identity values,
letter text, typed user names or passwords.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest

from xinfang.accounts.models import RoleGrant, User
from xinfang.accounts.signals import second_factor_changed, staff_disabled
from xinfang.audit.middleware import request_actor
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.audit.services import audit_entry, audit_record, receipt_entry
from xinfang.letters.models import Letter, LetterEvent
from xinfang.letters.signals import identity_revealed, letter_event_recorded

# Account fields whose change widens or narrows what someone may do or see.
PRIVILEGE_FIELDS = ("is_active", "is_staff", "is_superuser", "kind", "unit_id")
_BEFORE = "_audit_privileges_before"


def on_letter_event(sender: object, event: LetterEvent, **kwargs: Any) -> None:
    """A timeline row: action and states. ``event.data`` holds codes and numbers by contract; the reason stays out.

    A new letter's first row comes with the files sent with it (``attachments``): its receipt
    entry is written with the state change in one INSERT, in the letter's transaction, so the
    receipt commits with the letter or not at all."""
    letter = event.letter
    entry = audit_entry(
        kind=AuditKind.STATE_CHANGE,
        actor=event.actor,
        subject=letter,
        data={
            "action": event.action,
            "from": event.from_state,
            "to": event.to_state,
            "event": event.pk,
            "tracking_number": letter.tracking_number,
            "details": event.data,
        },
    )
    if event.action == "receive":
        AuditEntry.objects.bulk_create([entry, receipt_entry(letter, kwargs.get("attachments", ()))])
    else:
        entry.save(force_insert=True)


def on_identity_revealed(
    sender: object, letter: Letter, actor: User, reason: str, category: str = "", **kwargs: Any
) -> None:
    data = {"category": category, "reason": reason}
    audit_record(kind=AuditKind.IDENTITY_REVEAL, actor=actor, subject=letter, data=data)


def on_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(kind=AuditKind.SIGN_IN, actor=user, subject=user, data={"ip": _ip(request), "account": user.kind})


def on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Name the account when the typed name is one; never store what was typed (a phone, even a password)."""
    typed = credentials.get(User.USERNAME_FIELD)
    account = User.objects.filter(username=typed).first() if isinstance(typed, str) and typed else None
    data: dict[str, Any] = {"ip": _ip(request), "known_account": account is not None}
    if isinstance(credentials.get("factor"), str):
        data["factor"] = credentials["factor"]
    audit_record(kind=AuditKind.SIGN_IN_FAILED, actor=None, subject=account, data=data)


def on_logged_out(sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        audit_record(kind=AuditKind.SIGN_OUT, actor=user, subject=user, data={"ip": _ip(request)})


def on_role_saved(sender: object, instance: RoleGrant, created: bool, raw: bool, **kwargs: Any) -> None:
    if raw:
        return
    actor = instance.granted_by if created and instance.granted_by_id else request_actor()
    change = "role_granted" if created else "role_changed"
    _permission_change(actor, instance.user_id, {"change": change, "role": instance.role})


def on_role_deleted(sender: object, instance: RoleGrant, **kwargs: Any) -> None:
    _permission_change(request_actor(), instance.user_id, {"change": "role_revoked", "role": instance.role})


def before_user_saved(
    sender: object, instance: User, raw: bool, update_fields: frozenset[str] | None, **kwargs: Any
) -> None:
    """Remember the privilege fields as stored, when this save may change them."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {f.removesuffix("_id") for f in update_fields} & _privilege_names():
        return
    instance.__dict__[_BEFORE] = User.objects.filter(pk=instance.pk).values(*PRIVILEGE_FIELDS).first()


def after_user_saved(sender: object, instance: User, created: bool, raw: bool, **kwargs: Any) -> None:
    before: dict[str, Any] | None = instance.__dict__.pop(_BEFORE, None)
    now = {field: getattr(instance, field) for field in PRIVILEGE_FIELDS}
    if raw:
        return
    if created:
        if not instance.is_citizen or instance.is_staff or instance.is_superuser:
            _permission_change(request_actor(), instance.pk, {"change": "account_created", **now})
        return
    if before is None:
        return
    changed = {field: [before[field], now[field]] for field in PRIVILEGE_FIELDS if before[field] != now[field]}
    if changed:
        _permission_change(request_actor(), instance.pk, {"change": "account_changed", "fields": changed})


def on_staff_disabled(sender: object, user: User, actor: User | None, sessions_ended: int, **kwargs: Any) -> None:
    _permission_change(actor, user.pk, {"change": "sessions_ended", "sessions": sessions_ended})


def on_second_factor_changed(sender: object, user: User, change: str, **kwargs: Any) -> None:
    audit_record(
        kind=AuditKind.SECOND_FACTOR_CHANGE, actor=request_actor() or user, subject=user, data={"change": change}
    )


def _permission_change(actor: User | None, user_id: int, data: dict[str, Any]) -> None:
    audit_record(kind=AuditKind.PERMISSION_CHANGE, actor=actor, subject=("accounts.user", user_id), data=data)


def _privilege_names() -> set[str]:
    return {f.removesuffix("_id") for f in PRIVILEGE_FIELDS}


def _ip(request: HttpRequest | None) -> str | None:
    return get_client_ip_address(request) if request is not None else None


def connect() -> None:
    letter_event_recorded.connect(on_letter_event, dispatch_uid="audit.letter_event")
    identity_revealed.connect(on_identity_revealed, dispatch_uid="audit.identity_revealed")
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit.logged_out")
    post_save.connect(on_role_saved, sender=RoleGrant, dispatch_uid="audit.role_saved")
    post_delete.connect(on_role_deleted, sender=RoleGrant, dispatch_uid="audit.role_deleted")
    pre_save.connect(before_user_saved, sender=User, dispatch_uid="audit.user_before")
    post_save.connect(after_user_saved, sender=User, dispatch_uid="audit.user_after")
    staff_disabled.connect(on_staff_disabled, dispatch_uid="audit.staff_disabled")
    second_factor_changed.connect(on_second_factor_changed, dispatch_uid="audit.second_factor")
