"""The publication rules (issue 18 §1): consent, the letter's state, the mailbox's policy on
accusing letters, the leader's approval, unpublishing, the audit — and the admin obeys them too."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import handled_letter
from tests.publication.conftest import REPLY, SUBJECT, TEXT, replied_letter
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry
from xinfang.errors import Refused
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication import services
from xinfang.publication.models import Publication, PublicationPolicy, PublicationState
from xinfang.publication.selectors import PublicFilters, candidates_for, published

pytestmark = pytest.mark.django_db


def approved(letter: Letter, publisher: User, leader: User) -> Publication:
    publication = services.publication_propose(letter=letter, actor=publisher)
    services.publication_submit(publication=publication, actor=publisher)
    return services.publication_approve(publication=publication, actor=leader)


def test_it_proposes_a_redaction_and_never_alters_the_letter(replied: Letter, publisher: User) -> None:
    publication = services.publication_propose(letter=replied, actor=publisher)
    for public in (publication.published_text, publication.published_reply):
        assert "张三" not in public and "13800138000" not in public and "体育西路1号" not in public
    assert "户籍窗口周末也开放" in publication.published_text and "[已隐去]" in publication.published_text
    assert "周六上午开放" in publication.published_reply
    replied.refresh_from_db()
    assert (replied.subject, replied.text, replied.reply_text) == (SUBJECT, TEXT, REPLY)
    assert publication.state == PublicationState.DRAFT and publication not in published(replied.mailbox)


def test_it_refuses_a_letter_whose_writer_did_not_consent(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User, publisher: User
) -> None:
    letter = replied_letter(citizen, gd_mailbox, acceptor, tianhe, handler, leader, consent_to_publish=False)
    with pytest.raises(Refused, match="没有同意公开"):
        services.publication_propose(letter=letter, actor=publisher)
    assert letter not in candidates_for(publisher)


def test_it_refuses_a_letter_not_yet_replied(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, publisher: User
) -> None:
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler, consent_to_publish=True)
    with pytest.raises(Refused, match="已答复或已终结"):
        services.publication_propose(letter=letter, actor=publisher)
    assert letter not in candidates_for(publisher)


def test_an_accusing_letter_is_published_only_as_the_mailbox_allows(replied: Letter, publisher: User) -> None:
    Letter.objects.filter(pk=replied.pk).update(accused_officer_name="李四", text=f"{TEXT}民警李四态度恶劣。")
    replied.refresh_from_db()
    assert replied not in candidates_for(publisher)
    with pytest.raises(Refused, match="公开规则不允许"):
        services.publication_propose(letter=replied, actor=publisher)
    PublicationPolicy.objects.create(mailbox=replied.mailbox, allow_accusing=True)
    assert replied in candidates_for(publisher)
    publication = services.publication_propose(letter=replied, actor=publisher)
    assert "李四" not in publication.published_text  # officers' names masked unless the policy shows them


def test_a_leader_of_the_publishing_unit_approves_and_only_then_it_is_public(
    replied: Letter, publisher: User, leader: User, outsider: User
) -> None:
    publication = services.publication_propose(letter=replied, actor=publisher)
    services.publication_submit(publication=publication, actor=publisher)
    assert publication not in published(replied.mailbox)
    for someone in (publisher, outsider):
        with pytest.raises(Refused, match="公开单位的领导"):
            services.publication_approve(publication=publication, actor=someone)
    services.publication_approve(publication=publication, actor=leader)
    assert list(published(replied.mailbox, PublicFilters(query="户籍窗口"))) == [publication]
    assert publication.published_by == leader


def test_a_leader_sends_back_with_a_reason_and_the_publisher_edits(
    replied: Letter, publisher: User, leader: User
) -> None:
    publication = services.publication_propose(letter=replied, actor=publisher)
    services.publication_submit(publication=publication, actor=publisher)
    with pytest.raises(Refused, match="退回理由"):
        services.publication_send_back(publication=publication, actor=leader, reason=" ")
    services.publication_send_back(publication=publication, actor=leader, reason="标题太长")
    assert (publication.state, publication.sent_back_reason) == (PublicationState.DRAFT, "标题太长")
    with pytest.raises(Refused, match="电话号码"):  # the edit may not put back what the proposal masked
        services.publication_edit(
            publication=publication, actor=publisher, title="建议", text="请打13800138000", reply="好"
        )
    services.publication_edit(
        publication=publication, actor=publisher, title="户籍窗口", text="建议开放", reply="已开放"
    )
    assert publication.title == "户籍窗口"


def test_unpublishing_needs_a_reason_and_takes_it_off_the_public_pages(
    replied: Letter, publisher: User, leader: User
) -> None:
    publication = approved(replied, publisher, leader)
    with pytest.raises(Refused, match="撤下理由"):
        services.publication_unpublish(publication=publication, actor=publisher, reason="")
    services.publication_unpublish(publication=publication, actor=publisher, reason="信访人要求")
    assert publication.state == PublicationState.UNPUBLISHED and not published(replied.mailbox).exists()


def test_the_writer_withdraws_consent_until_publication(
    citizen: User, replied: Letter, publisher: User, leader: User
) -> None:
    publication = services.publication_propose(letter=replied, actor=publisher)
    services.consent_withdraw(letter=replied, actor=citizen)
    assert not Letter.objects.get(pk=replied.pk).consent_to_publish
    publication.refresh_from_db()
    assert publication.state == PublicationState.UNPUBLISHED  # the draft is set aside
    with pytest.raises(Refused, match="没有同意公开"):
        services.publication_edit(publication=publication, actor=publisher, title="t", text="t", reply="t")


def test_consent_cannot_be_withdrawn_after_publication_nor_by_anyone_else(
    citizen: User, replied: Letter, publisher: User, leader: User
) -> None:
    with pytest.raises(Refused, match="只有写信人"):
        services.consent_withdraw(letter=replied, actor=publisher)
    approved(replied, publisher, leader)
    with pytest.raises(Refused, match="已经公开"):
        services.consent_withdraw(letter=replied, actor=citizen)
    assert Letter.objects.get(pk=replied.pk).consent_to_publish


def test_every_step_is_audited_without_the_text(replied: Letter, publisher: User, leader: User) -> None:
    publication = approved(replied, publisher, leader)
    services.publication_unpublish(publication=publication, actor=leader, reason="过时")
    entries = AuditEntry.objects.filter(subject_id=str(publication.public_id)).order_by("id")
    assert [(e.data["action"], e.actor) for e in entries] == [
        ("publication_propose", publisher),
        ("publication_submit", publisher),
        ("publication_approve", leader),
        ("publication_unpublish", leader),
    ]
    assert all("户籍" not in str(e.data) for e in entries)


# ---------------------------------------------------------------- the admin obeys the same rules


@pytest.fixture
def admin_publisher(tianhe: Unit) -> Client:
    user = make_staff("admin-publisher", tianhe, Role.PUBLISHER, Role.ADMINISTRATOR)
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    return sign_in(Client(), User.objects.get(pk=user.pk))


def test_the_admin_cannot_publish_a_letter_without_consent(
    admin_publisher: Client,
    citizen: User,
    gd_mailbox: Mailbox,
    acceptor: User,
    tianhe: Unit,
    handler: User,
    leader: User,
) -> None:
    letter = replied_letter(citizen, gd_mailbox, acceptor, tianhe, handler, leader, consent_to_publish=False)
    response = admin_publisher.post(
        "/admin/publication/publication/add/",
        {"letter": letter.pk, "title": "标题", "published_text": "正文", "published_reply": "答复",
         "published_at_0": "2026-12-01", "published_at_1": "08:00:00", "state": "published"},
    )  # fmt: skip
    assert response.status_code == 200 and "没有同意公开" in response.content.decode()
    assert not Publication.objects.exists()


def test_the_admin_drafts_through_the_service_and_cannot_set_the_publication_time(
    admin_publisher: Client, replied: Letter
) -> None:
    response = admin_publisher.post("/admin/publication/publication/add/", {"letter": replied.pk})
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert "张三" not in publication.published_text  # the service's proposal, not typed text
    admin_publisher.post(
        f"/admin/publication/publication/{publication.pk}/change/",
        {"title": "公开标题", "published_text": "建议开放", "published_reply": "已开放",
         "published_at_0": "2026-12-01", "published_at_1": "08:00:00", "state": "published"},
    )  # fmt: skip
    publication.refresh_from_db()
    assert (publication.title, publication.state, publication.published_at) == ("公开标题", "draft", None)
    assert not published(replied.mailbox).exists()


def test_a_letter_naming_an_officer_only_in_its_text_is_treated_as_accusing() -> None:
    from xinfang.letters.models import Letter
    from xinfang.publication.rules import accuses

    plain = Letter(letter_type="suggestion", subject="建议户籍窗口周末开放", text="建议周末也开放办理业务。")
    named = Letter(letter_type="suggestion", subject="建议", text="派出所民警张某某办事拖延，建议整改。")
    complaint = Letter(letter_type="complaint", subject="投诉", text="窗口排队太久。")
    assert not accuses(plain)
    assert accuses(named) and accuses(complaint)
