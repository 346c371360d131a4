"""The publication pages (issue 18 §1): the publisher's candidates and redaction page, the leader's
approvals, the public list, search, filters and detail, and the writer's consent on the letter page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, make_staff
from tests.factories import ConsoleClient, resident_id, text_of
from xinfang.accounts.models import Role, User
from xinfang.accounts.services import citizen_create
from xinfang.letters.models import Letter
from xinfang.orgs.models import Unit
from xinfang.publication.models import Publication, PublicationState

pytestmark = pytest.mark.django_db


def propose(client: Client, letter: Letter) -> Publication:
    response = client.post(f"/console/publication/letters/{letter.public_id}/propose")
    publication = Publication.objects.get(letter=letter)
    assert response.status_code == 302 and response["Location"] == f"/console/publication/{publication.public_id}/"
    return publication


def step(client: Client, publication: Publication, name: str, **fields: str) -> object:
    return client.post(f"/console/publication/{publication.public_id}/", {"step": name, **fields})


def test_the_publisher_lands_on_the_candidates_and_a_publisher_leader_keeps_the_home(
    tianhe: Unit, publisher: User, console_client: ConsoleClient
) -> None:
    response = console_client(publisher).get("/console/")
    assert response.status_code == 302 and response["Location"] == "/console/publication/"
    both = make_staff("publisher-leader", tianhe, Role.PUBLISHER, Role.LEADER)
    page = console_client(both).get("/console/")
    assert page.status_code == 200 and "/console/publication/approvals/" in page.content.decode()


def test_the_publisher_proposes_edits_and_submits(
    replied: Letter, publisher: User, console_client: ConsoleClient
) -> None:
    client = console_client(publisher)
    listing = text_of(client.get("/console/publication/"))
    assert replied.tracking_number in listing
    assert replied.tracking_number not in text_of(client.get("/console/publication/", {"letter_type": "complaint"}))
    publication = propose(client, replied)
    page = client.get(f"/console/publication/{publication.public_id}/").content.decode()
    assert "[已隐去]" in page and "13800138000" in page  # the public version beside the original
    response = step(client, publication, "edit", title="户籍窗口", text="建议周末开放 13800138000", reply="已开放")
    assert response.status_code == 200 and "电话号码" in response.content.decode()  # type: ignore[attr-defined]
    step(client, publication, "edit", title="户籍窗口周末开放", text="建议周末开放户籍窗口。", reply="已开放。")
    step(client, publication, "submit")
    publication.refresh_from_db()
    assert (publication.title, publication.state) == ("户籍窗口周末开放", PublicationState.SUBMITTED)


def test_the_leader_approves_from_the_approvals_and_the_public_reads_it(
    client: Client, replied: Letter, publisher: User, leader: User, outsider: User, console_client: ConsoleClient
) -> None:
    publication = propose(console_client(publisher), replied)
    step(console_client(publisher), publication, "submit")
    assert (
        str(publication.public_id)
        not in console_client(outsider).get("/console/publication/approvals/").content.decode()
    )
    approvals = console_client(leader).get("/console/publication/approvals/").content.decode()
    assert str(publication.public_id) in approvals
    assert step(console_client(outsider), publication, "approve").status_code == 404  # type: ignore[attr-defined]
    step(console_client(leader), publication, "approve")
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED

    assert publication.title in text_of(client.get("/m/gd/published/"))
    assert publication.title in text_of(client.get("/m/gd/published/", {"q": "户籍窗口周末"}))  # no spaces needed
    assert publication.title not in text_of(client.get("/m/gd/published/", {"q": "交通违法"}))
    assert publication.title in text_of(client.get("/m/gd/published/", {"letter_type": "suggestion"}))
    assert publication.title not in text_of(client.get("/m/gd/published/", {"letter_type": "complaint"}))
    month = timezone.localdate().strftime("%Y-%m")
    assert publication.title in text_of(client.get("/m/gd/published/", {"month": month}))
    assert publication.title not in text_of(client.get("/m/gd/published/", {"month": "2020-01"}))
    detail = text_of(client.get(f"/m/gd/published/{publication.public_id}/"))
    assert "天河区" in detail and "周六上午开放" in detail and "张三" not in detail and "13800138000" not in detail


def test_an_unpublished_letter_is_gone_from_the_public_pages(
    client: Client, replied: Letter, publisher: User, leader: User, console_client: ConsoleClient
) -> None:
    publication = propose(console_client(publisher), replied)
    assert client.get(f"/m/gd/published/{publication.public_id}/").status_code == 404  # a draft is not public
    step(console_client(publisher), publication, "submit")
    step(console_client(leader), publication, "approve")
    assert client.get(f"/m/gd/published/{publication.public_id}/").status_code == 200
    refused = step(console_client(publisher), publication, "unpublish", reason="")
    assert refused.status_code == 200  # type: ignore[attr-defined]
    step(console_client(publisher), publication, "unpublish", reason="涉及个人隐私")
    assert client.get(f"/m/gd/published/{publication.public_id}/").status_code == 404
    assert publication.title not in text_of(client.get("/m/gd/published/"))


def test_staff_without_the_role_or_the_letter_are_refused(
    replied: Letter, publisher: User, outsider: User, shenzhen: Unit, console_client: ConsoleClient
) -> None:
    publication = propose(console_client(publisher), replied)
    assert console_client(outsider).get("/console/publication/").status_code == 403
    elsewhere = console_client(make_staff("sz-publisher", shenzhen, Role.PUBLISHER))
    assert replied.tracking_number not in text_of(elsewhere.get("/console/publication/"))
    assert elsewhere.get(f"/console/publication/{publication.public_id}/").status_code == 404
    assert elsewhere.post(f"/console/publication/letters/{replied.public_id}/propose").status_code == 404


def test_the_writer_withdraws_consent_on_the_letter_page_and_another_citizen_cannot(
    client: Client, citizen: User, replied: Letter, publisher: User
) -> None:
    other = citizen_create(
        real_name="李四", id_number=resident_id("11010519800101123"), phone="13900139000", password=PASSWORD,
        phone_verified_at=timezone.now(),
    )  # fmt: skip
    client.force_login(other)
    assert client.post(f"/my/letters/{replied.public_id}/withdraw_consent/").status_code == 404
    client.force_login(citizen)
    page = client.get(f"/my/letters/{replied.public_id}/").content.decode()
    assert "撤回公开同意" in page
    response = client.post(f"/my/letters/{replied.public_id}/withdraw_consent/", follow=True)
    assert "已撤回公开同意" in response.content.decode()
    assert not Letter.objects.get(pk=replied.pk).consent_to_publish
    assert replied.tracking_number not in text_of(Client().get("/m/gd/published/"))
