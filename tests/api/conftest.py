"""The partner API's cast: the Guangdong mailbox with the partner channel and anonymous calls open,
a token for it holding every scope, and a client that speaks JSON with a Bearer key."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.api.models import PartnerToken, Scope
from xinfang.api.tokens import token_issue
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication.models import Publication, PublicationState
from xinfang.vocabulary import Channel

_keys = itertools.count()


@pytest.fixture
def partner_mailbox(gd_mailbox: Mailbox) -> Mailbox:
    """The Guangdong mailbox as an administrator opens it to partners and to the telephone."""
    gd_mailbox.channels = [*gd_mailbox.channels, Channel.PARTNER_API, Channel.TELEPHONE]
    gd_mailbox.allows_anonymous_phone = True
    gd_mailbox.save(update_fields=["channels", "allows_anonymous_phone"])
    return gd_mailbox


def issue(mailbox: Mailbox | None = None, unit: Unit | None = None, **overrides: Any) -> tuple[PartnerToken, str]:
    fields: dict[str, Any] = {
        "name": f"partner {next(_keys)}",
        "scopes": Scope.values,
        "expires_at": timezone.now() + dt.timedelta(days=30),
        "rate_per_minute": 10_000,
    }
    fields.update(overrides)
    return token_issue(actor=None, mailbox=mailbox, unit=unit, **fields)


@pytest.fixture
def token_key(partner_mailbox: Mailbox) -> tuple[PartnerToken, str]:
    return issue(partner_mailbox, name="广东公安微信小程序")


@pytest.fixture
def key(token_key: tuple[PartnerToken, str]) -> str:
    return token_key[1]


class Partner:
    """A partner's HTTP client: JSON bodies, a Bearer key, a fresh Idempotency-Key on every POST."""

    def __init__(self, client: Client, key: str | None, language: str = "zh-hans") -> None:
        self.client, self.key, self.language = client, key, language

    def headers(self, idempotency_key: str | None = None) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        if self.key is not None:
            headers["Authorization"] = f"Bearer {self.key}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json",
            headers=self.headers(idempotency_key or f"key-{next(_keys)}"),
        )  # fmt: skip

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api/v1{path}", query, headers=self.headers())


@pytest.fixture
def partner(key: str) -> Partner:
    return Partner(Client(), key)


PartnerFor = Callable[[str | None], Partner]


@pytest.fixture
def partner_for() -> PartnerFor:
    return lambda key: Partner(Client(), key)


def letter_body(mailbox: Mailbox, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "mailbox": mailbox.slug,
        "letter_type": "inquiry",
        "subject": "户口迁移咨询",
        "text": "请问从外省迁入广州市天河区的户口需要哪些材料？",
        "division_code": "440106",
        "citizen": {"phone": "13800138000", "id_number": "11010519491231002X"},
    }
    body.update(overrides)
    return body


def published_letters(mailbox: Mailbox, unit: Unit, titles: list[str]) -> list[Publication]:
    """Replied letters already published, stored as tests/publication/test_public_list.py stores them
    (the publication workflow is tested there)."""
    at = timezone.now() - dt.timedelta(hours=1)
    letters = Letter.objects.bulk_create(
        Letter(
            tracking_number=f"GD-API{i:06d}", query_code_hash="-", mailbox=mailbox, letter_type="suggestion",
            channel="web", subject=title, text=f"{title}。", state="replied", intake_unit=mailbox.owner,
            handling_unit=unit, received_at=at - dt.timedelta(days=20), replied_at=at, reply_text="已采纳。",
            consent_to_publish=True,
        )
        for i, title in enumerate(titles)
    )  # fmt: skip
    return Publication.objects.bulk_create(
        Publication(
            letter=letter, mailbox=mailbox, unit=unit, state=PublicationState.PUBLISHED, title=letter.subject,
            published_text=letter.text, published_reply=letter.reply_text, published_at=at - dt.timedelta(minutes=i),
        )
        for i, letter in enumerate(letters)
    )  # fmt: skip
