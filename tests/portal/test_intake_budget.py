"""Issue 17 §1: what one letter costs the database.

The portal's submit POST of a complete letter runs at most ``POST_BUDGET`` SQL statements, BEGIN,
COMMIT and SAVEPOINT included (PostgreSQL's backend shows them), with one commit; ``letter_submit``
alone at most ``SUBMIT_BUDGET``. Measured with the per-process caches warm (a first letter), as a
running server has them. The budget is PostgreSQL's, where production runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.portal.conftest import submit
from xinfang.accounts.models import User
from xinfang.letters.models import Letter, LetterEvent
from xinfang.orgs.models import Mailbox
from xinfang.portal import forms

POST_BUDGET = 8
SUBMIT_BUDGET = 6
FORM = {
    "letter_type": "complaint",
    "police_type": "household",
    "province": "440000",
    "city": "440100",
    "county": "440106",
    "address": "天河路 1 号",
    "subject": "派出所办理户籍迁移拖延",
    "text": "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。",
    "not_emergency": "on",
    "consent_to_publish": "on",
    "accused_officer_name": "李四",
    "channel": "web",
}


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"].split(" (", 1)[0][:90] for query in captured.captured_queries]


def commits(captured: CaptureQueriesContext) -> int:
    return sum(1 for query in captured.captured_queries if query["sql"].strip().upper() == "COMMIT")


def savepoints(captured: CaptureQueriesContext) -> int:
    return sum(1 for query in captured.captured_queries if query["sql"].upper().startswith("SAVEPOINT"))


@pytest.fixture
def writer(needs_postgres: None, restores_what_the_flush_removes: None, transactional_db: None, tree: None) -> Any:
    """A committed world (``transactional_db``): the commit is part of what is counted."""


@pytest.mark.usefixtures("writer")
def test_the_portal_submit_post_of_a_complete_letter_stays_within_the_statement_budget(
    citizen: User, gd_mailbox: Mailbox
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(citizen)
    assert client.post("/m/gd/write/", FORM).status_code == 302  # warms the per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/m/gd/write/", {**FORM, "subject": "第二封信"})
    letter = Letter.objects.get(subject="第二封信")
    assert response.status_code == 302 and response["Location"] == f"/my/letters/{letter.public_id}/submitted/"
    assert letter.accused_officer_name == "李四" and letter.accused_unit is not None and letter.consent_to_publish
    assert LetterEvent.objects.filter(letter=letter, action="receive").count() == 1
    listed = "\n".join(statements(captured))
    assert len(captured) <= POST_BUDGET, f"{len(captured)} statements:\n{listed}"
    assert commits(captured) == 1, listed
    assert savepoints(captured) == 0, listed
    receipt = client.get(response["Location"]).content.decode()
    assert letter.tracking_number in receipt and 'data-testid="query-code"' in receipt


@pytest.mark.usefixtures("writer")
def test_letter_submit_alone_stays_within_its_budget(citizen: User, gd_mailbox: Mailbox) -> None:
    submit(citizen, gd_mailbox)  # warms the per-process caches
    with CaptureQueriesContext(connection) as captured:
        letter = submit(citizen, gd_mailbox, subject="第二封信").letter
    listed = "\n".join(statements(captured))
    assert Letter.objects.filter(pk=letter.pk, subject="第二封信").exists()
    assert len(captured) <= SUBMIT_BUDGET, f"{len(captured)} statements:\n{listed}"
    assert commits(captured) == 1 and savepoints(captured) == 0, listed


@pytest.mark.django_db
def test_a_submitted_letter_never_builds_the_place_pickers_a_page_shows(
    citizen: User, gd_mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels: list[object] = []
    real = forms._place_label
    monkeypatch.setattr(forms, "_place_label", lambda unit: labels.append(unit) or real(unit))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(citizen)
    assert client.post("/m/gd/write/", FORM).status_code == 302
    assert labels == []
    page = client.get("/m/gd/write/").content.decode()
    assert labels and '<option value="440100">' in page  # the page still offers Guangdong's cities
    refused = client.post("/m/gd/write/", {**FORM, "county": "440301"}).content.decode()  # Shenzhen's, not Guangzhou's
    assert 'id="id_county_error"' in refused
