"""Idempotency keys: the same key and body get the first answer back; the same key with another body
is refused; on PostgreSQL, 1,000 concurrent POSTs with one key make one letter."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.api.conftest import Partner, letter_body
from xinfang.accounts.models import User
from xinfang.api.idempotency import KEY_KEEP
from xinfang.api.models import IdempotencyKey
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox
from xinfang.worker.schedule import JOBS, schedule_ensure, scheduled_job_run


@pytest.mark.django_db
def test_a_retry_with_the_same_key_gets_the_first_answer(
    partner: Partner, partner_mailbox: Mailbox, citizen: User
) -> None:
    body = letter_body(partner_mailbox)
    first = partner.post("/letters", body, idempotency_key="retry-1")
    second = partner.post("/letters", body, idempotency_key="retry-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()  # the same tracking number and query code
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(partner: Partner, partner_mailbox: Mailbox, citizen: User) -> None:
    partner.post("/letters", letter_body(partner_mailbox), idempotency_key="retry-2")
    other = partner.post("/letters", letter_body(partner_mailbox, subject="另一封信"), idempotency_key="retry-2")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_a_refusal_is_an_answer_too(partner: Partner, partner_mailbox: Mailbox) -> None:
    """No citizen account yet: refused; the same request again gets the same refusal, not a new try."""
    first = partner.post("/letters", letter_body(partner_mailbox), idempotency_key="retry-3")
    assert first.status_code == 422
    assert partner.post("/letters", letter_body(partner_mailbox), idempotency_key="retry-3").json() == first.json()


@pytest.mark.django_db
def test_a_post_without_a_key_is_refused(partner: Partner, partner_mailbox: Mailbox, citizen: User) -> None:
    response = partner.client.post(
        "/api/v1/letters", json.dumps(letter_body(partner_mailbox)), content_type="application/json",
        headers={"Authorization": f"Bearer {partner.key}"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Letter.objects.exists()


CONCURRENT_POSTS = 1000
THREADS = 24


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgres", "restores_what_the_flush_removes")
def test_a_thousand_concurrent_posts_with_one_key_make_one_letter(
    key: str, partner_mailbox: Mailbox, citizen: User
) -> None:
    body = json.dumps(letter_body(partner_mailbox))
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "one-key-for-all"}

    def post(_: int) -> tuple[int, Any]:
        try:
            response = Client().post("/api/v1/letters", body, content_type="application/json", headers=headers)
            return response.status_code, response.json()
        finally:
            connection.close()  # each thread has its own connection; give it back

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(post, range(CONCURRENT_POSTS)))
    assert {status for status, _ in answers} == {201}
    assert len({answer["tracking_number"] for _, answer in answers}) == 1
    assert Letter.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_the_stored_answer_does_not_show_the_query_code(
    partner: Partner, partner_mailbox: Mailbox, citizen: User
) -> None:
    """The query code is otherwise kept only hashed: the replayed receipt is stored encrypted."""
    code = partner.post("/letters", letter_body(partner_mailbox), idempotency_key="secret-1").json()["query_code"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT response FROM api_idempotencykey")
        (stored,) = cursor.fetchone()
    assert code not in stored
    replayed = partner.post("/letters", letter_body(partner_mailbox), idempotency_key="secret-1")
    assert replayed.json()["query_code"] == code


@pytest.mark.django_db
def test_a_key_protects_for_a_day_then_the_worker_prunes_it(
    partner: Partner, partner_mailbox: Mailbox, citizen: User
) -> None:
    """The API's own job on the worker's schedule (the worker does not import the API): hourly,
    keys older than 24 hours go; the same key after that is a new request (docs/api.md)."""
    assert JOBS["idempotency_keys_prune"].interval_seconds == 3600
    schedule_ensure()
    start = timezone.now()
    first = partner.post("/letters", letter_body(partner_mailbox), idempotency_key="daily-1").json()

    with time_machine.travel(start + KEY_KEEP - dt.timedelta(minutes=5)):
        assert scheduled_job_run(name="idempotency_keys_prune") == "{'deleted': 0}"
        assert partner.post("/letters", letter_body(partner_mailbox), idempotency_key="daily-1").json() == first
    assert Letter.objects.count() == 1

    with time_machine.travel(start + KEY_KEEP + dt.timedelta(minutes=5)):
        assert scheduled_job_run(name="idempotency_keys_prune") == "{'deleted': 1}"
        assert not IdempotencyKey.objects.exists()
        again = partner.post("/letters", letter_body(partner_mailbox), idempotency_key="daily-1")
    assert again.status_code == 201 and again.json()["tracking_number"] != first["tracking_number"]
    assert Letter.objects.count() == 2
