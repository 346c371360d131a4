"""Partner tokens: made in the admin and shown once, stored hashed, scoped, expiring, revocable,
limited per minute, and every call audited under the token's name."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.api.conftest import Partner, PartnerFor, issue, letter_body
from xinfang.api.models import PartnerToken, Scope
from xinfang.api.tokens import TokenRefused, authenticate
from xinfang.audit.models import AuditEntry
from xinfang.orgs.models import Mailbox

pytestmark = pytest.mark.django_db


def test_an_administrator_makes_a_token_whose_key_is_shown_once(admin_client: Client, partner_mailbox: Mailbox) -> None:
    form = {
        "name": "12345 热线话务系统", "mailbox": partner_mailbox.pk, "unit": "",
        "scopes": [Scope.LETTERS_SUBMIT, Scope.CALLS_SCREEN_POP], "expires_at_0": "2099-01-01",
        "expires_at_1": "00:00:00", "rate_per_minute": 60,
    }  # fmt: skip
    response = admin_client.post("/admin/api/partnertoken/add/", form, follow=True)
    page = response.content.decode()
    shown = re.search(r"xf_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", page)
    assert shown is not None, page[:3000]
    token = PartnerToken.objects.get(name="12345 热线话务系统")
    raw_key = shown.group(0)
    assert token.secret_hash == hashlib.sha256(raw_key.encode()).hexdigest()  # only the digest is stored
    assert authenticate(raw_key, Scope.CALLS_SCREEN_POP) == token
    again = admin_client.get(f"/admin/api/partnertoken/{token.pk}/change/").content.decode()
    assert raw_key not in again and token.prefix in again


def test_the_revoke_action_stops_a_token_at_once(
    admin_client: Client, partner: Partner, token_key: tuple[PartnerToken, str], partner_mailbox: Mailbox
) -> None:
    token, _key = token_key
    assert partner.get(f"/publications/{partner_mailbox.slug}").status_code == 200
    admin_client.post(
        "/admin/api/partnertoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )  # fmt: skip
    response = partner.get(f"/publications/{partner_mailbox.slug}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_expired_token_is_refused(partner_mailbox: Mailbox) -> None:
    _token, key = issue(partner_mailbox, expires_at=timezone.now() + dt.timedelta(days=1))
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)), pytest.raises(TokenRefused) as refused:
        authenticate(key, Scope.LETTERS_STATUS)
    assert refused.value.status == 401


def test_a_wrong_secret_with_a_real_prefix_is_refused(key: str) -> None:
    with pytest.raises(TokenRefused) as refused:
        authenticate(key[:-4] + "AAAA", Scope.LETTERS_STATUS)
    assert refused.value.status == 401


def test_a_call_without_a_token_is_refused_in_one_shape(partner_for: PartnerFor, partner_mailbox: Mailbox) -> None:
    response = partner_for(None).post("/letters", letter_body(partner_mailbox))
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


def test_every_call_is_audited_with_the_tokens_name(
    partner: Partner, partner_mailbox: Mailbox, citizen: object
) -> None:
    partner.post("/letters", letter_body(partner_mailbox))
    partner.get(f"/publications/{partner_mailbox.slug}")
    calls = AuditEntry.objects.filter(kind="api_call").order_by("id")
    assert [(e.data["token"], e.data["operation"], e.data["status"]) for e in calls] == [
        ("广东公安微信小程序", "letters", 201),
        ("广东公安微信小程序", "publications", 200),
    ]
    assert all("13800138000" not in str(e.data) for e in calls)  # never the body


def test_calls_over_the_tokens_rate_are_refused(partner_for: PartnerFor, partner_mailbox: Mailbox) -> None:
    slow = partner_for(issue(partner_mailbox, rate_per_minute=3)[1])
    statuses = [slow.get(f"/publications/{partner_mailbox.slug}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert slow.get(f"/publications/{partner_mailbox.slug}").json()["code"] == "rate_limited"


OPERATIONS = [
    ("post", "/letters"), ("post", "/letters/status"), ("post", "/letters/conversation"),
    ("post", "/letters/messages"), ("post", "/calls/screen-pop"), ("get", "/publications/gd"),
    ("get", "/publications/gd/8d0c2b1e-6a51-4b8f-9d0e-2f1c7a3b5e6d"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_refuses_a_missing_or_wrong_key(
    partner_for: PartnerFor, key: str, method: str, path: str
) -> None:
    for who in (partner_for(None), partner_for(key[:-4] + "AAAA"), partner_for("xf_nothing_here")):
        response = who.post(path, {}) if method == "post" else who.get(path)
        assert response.status_code == 401, (path, response.content)
        assert response.json()["code"] == "unauthenticated"
