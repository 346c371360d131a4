"""What gets into the audit log, in the same transaction as the change, and what never does."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from tests.conftest import PASSWORD, make_staff
from tests.letters.conftest import submit
from xinfang.accounts.models import Role, RoleGrant, User
from xinfang.audit.middleware import AuditActorMiddleware
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.audit.sealing import log_seal
from xinfang.audit.selectors import log_verify
from xinfang.letters import services as s
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import Letter, LetterState
from xinfang.letters.signals import identity_revealed
from xinfang.orgs.models import Mailbox, Unit


class RolledBack(Exception):
    pass


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox) -> Letter:
    return submit(citizen, gd_mailbox).letter


@pytest.fixture
def administrator(guangdong: Unit) -> User:
    return make_staff("administrator", guangdong, Role.ADMINISTRATOR)


def newest() -> AuditEntry:
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None
    return entry


def rows_after(mark: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__gt=mark))


def mark() -> int:
    head = AuditEntry.objects.order_by("-pk").first()
    return head.pk if head else 0


def payload_text(entries: list[AuditEntry]) -> str:
    return json.dumps([e.data for e in entries], ensure_ascii=False)


def test_a_state_change_writes_exactly_one_audit_row(letter: Letter, acceptor: User) -> None:
    before = mark()

    s.letter_accept(letter=letter, actor=acceptor)

    [row] = rows_after(before)
    assert row.kind == AuditKind.STATE_CHANGE
    assert row.actor == acceptor
    assert (row.subject_type, row.subject_id) == ("letters.letter", str(letter.public_id))
    assert row.data["action"] == "accept"
    assert (row.data["from"], row.data["to"]) == (LetterState.RECEIVED, LetterState.ACCEPTED)
    log_seal()
    assert log_verify().intact


def test_a_rolled_back_service_leaves_no_audit_row(letter: Letter, acceptor: User) -> None:
    before = mark()

    with pytest.raises(RolledBack), transaction.atomic():
        s.letter_accept(letter=letter, actor=acceptor)
        assert len(rows_after(before)) == 1  # written inside the service's transaction …
        raise RolledBack

    assert rows_after(before) == []  # … and gone with it
    letter.refresh_from_db()
    assert letter.state == LetterState.RECEIVED


def test_a_refused_action_leaves_no_audit_row(letter: Letter, outsider: User) -> None:
    before = mark()

    with pytest.raises(LifecycleError):
        s.letter_accept(letter=letter, actor=outsider)

    assert rows_after(before) == []


def test_no_letter_text_and_no_identity_reaches_the_log(citizen: User, gd_mailbox: Mailbox, acceptor: User) -> None:
    before = mark()
    letter = submit(citizen, gd_mailbox).letter
    s.letter_request_info(letter=letter, actor=acceptor, reason="请补充派出所名称")

    text = payload_text(rows_after(before))
    kinds = [r.kind for r in rows_after(before)]  # the receipt is written in the letter's own transaction
    assert kinds == [AuditKind.STATE_CHANGE, AuditKind.LETTER_RECEIPT, AuditKind.STATE_CHANGE]
    assert [r.data["action"] for r in rows_after(before) if r.kind == AuditKind.STATE_CHANGE] == [
        "receive",
        "request_info",
    ]
    for secret in [letter.text, letter.subject, letter.address, "张三", "13800138000", "11010519491231002X"]:
        assert secret not in text
    assert "请补充派出所名称" not in text


def test_an_identity_reveal_is_recorded_with_its_reason(letter: Letter, handler: User) -> None:
    before = mark()

    identity_revealed.send(
        sender=None, letter=letter, actor=handler, category="investigate", reason="需回访核实举报线索"
    )

    [row] = rows_after(before)
    assert row.kind == AuditKind.IDENTITY_REVEAL
    assert row.actor == handler
    assert row.subject_id == str(letter.public_id)
    assert row.data == {"category": "investigate", "reason": "需回访核实举报线索"}


def test_signing_in_and_out_is_recorded_and_is_not_a_permission_change(handler: User) -> None:
    client = Client()
    before = mark()

    client.force_login(handler)
    client.logout()

    rows = rows_after(before)
    assert [r.kind for r in rows] == [AuditKind.SIGN_IN, AuditKind.SIGN_OUT]
    assert all(r.actor == handler and r.subject_id == str(handler.pk) for r in rows)
    assert rows[0].data == {"ip": None, "account": "staff"}  # force_login's request has no address


def test_a_failed_sign_in_names_the_account_but_never_stores_what_was_typed(handler: User) -> None:
    request = RequestFactory().post("/console/login/", REMOTE_ADDR="203.0.113.9")
    before = mark()

    assert authenticate(request, username="handler", password="wrong-horse-battery") is None
    assert authenticate(request, username="13800138000", password="wrong-horse-battery") is None

    known, unknown = rows_after(before)
    assert known.kind == unknown.kind == AuditKind.SIGN_IN_FAILED
    assert known.actor is None
    assert (known.subject_id, known.data) == (str(handler.pk), {"ip": "203.0.113.9", "known_account": True})
    assert (unknown.subject_id, unknown.data["known_account"]) == ("", False)
    assert "wrong-horse-battery" not in payload_text([known, unknown])
    assert "13800138000" not in payload_text([known, unknown])
    assert authenticate(request, username="handler", password=PASSWORD) == handler


def test_granting_and_revoking_a_role_are_permission_changes_with_their_actor(
    handler: User, administrator: User
) -> None:
    before = mark()

    grant = RoleGrant.objects.create(user=handler, role=Role.LEADER, granted_by=administrator)
    as_administrator(administrator, grant.delete)

    granted, revoked = rows_after(before)
    assert granted.kind == revoked.kind == AuditKind.PERMISSION_CHANGE
    assert (granted.actor, granted.data) == (administrator, {"change": "role_granted", "role": "leader"})
    assert (revoked.actor, revoked.data) == (administrator, {"change": "role_revoked", "role": "leader"})
    assert granted.subject_id == revoked.subject_id == str(handler.pk)


def test_disabling_an_account_is_a_permission_change(handler: User, administrator: User) -> None:
    before = mark()

    def disable() -> None:
        handler.is_active = False
        handler.save(update_fields=["is_active"])

    as_administrator(administrator, disable)

    [row] = rows_after(before)
    assert row.kind == AuditKind.PERMISSION_CHANGE
    assert row.actor == administrator
    assert row.data == {"change": "account_changed", "fields": {"is_active": [True, False]}}


def test_moving_a_member_of_staff_to_another_unit_is_a_permission_change(handler: User, shenzhen: Unit) -> None:
    old_unit = handler.unit_id
    before = mark()

    handler.unit = shenzhen
    handler.save()

    [row] = rows_after(before)
    assert row.actor is None  # no request: a command or the worker
    assert row.data["fields"] == {"unit_id": [old_unit, shenzhen.pk]}


def test_a_new_staff_account_is_recorded_but_a_new_citizen_is_not(tianhe: Unit, citizen: User) -> None:
    before = mark()

    staff = make_staff("newcomer", tianhe, Role.HANDLER)

    created, granted = rows_after(before)  # the account, then its role (granted one by one, so audited)
    assert created.subject_id == str(staff.pk)
    assert created.data["change"] == "account_created"
    assert granted.kind == "permission_change" and "handler" in str(granted.data)
    assert not AuditEntry.objects.filter(subject_id=str(citizen.pk), subject_type="accounts.user").exists()


def as_administrator(administrator: User, action: object) -> None:
    """Run ``action`` inside a request signed in as ``administrator`` (as the admin site would)."""
    request = RequestFactory().post("/admin/")
    request.user = administrator

    def view(request: HttpRequest) -> HttpResponse:
        assert callable(action)
        action()
        return HttpResponse()

    AuditActorMiddleware(view)(request)
