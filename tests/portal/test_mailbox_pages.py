"""The public pages: a mailbox's own page and its published letters."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from tests.console.conftest import sign_in
from tests.portal.conftest import submit
from xinfang.accounts.models import User
from xinfang.deadlines.law import DayKind
from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.deadlines.policies import Step
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication.models import Publication, PublicationState
from xinfang.vocabulary import LetterType

pytestmark = pytest.mark.django_db


def publish(citizen: User, mailbox: Mailbox, title: str, *, at: dt.datetime | None) -> Publication:
    letter = submit(citizen, mailbox, consent_to_publish=True).letter
    return Publication.objects.create(
        letter=letter,
        title=title,
        published_text="来信内容（已隐去个人信息）",
        published_reply="答复内容",
        published_at=at,
        mailbox=mailbox,
        state=PublicationState.DRAFT if at is None else PublicationState.PUBLISHED,
    )


def test_the_home_page_links_each_mailbox(client: Client, tree: None) -> None:
    assert 'href="/m/gd/"' in client.get("/").content.decode()


def test_a_mailbox_page_says_what_it_takes_what_it_does_not_and_its_time_limits(
    client: Client, gd_mailbox: Mailbox
) -> None:
    body = client.get("/m/gd/").content.decode()
    assert gd_mailbox.name in body
    assert "投诉" in body and "求决" in body
    assert 'href="tel:110"' in body and "诉讼、仲裁、行政复议" in body
    assert "15日内告知您是否受理" in body and "60日内办结并答复" in body and "30日" in body
    assert 'href="/m/gd/write/"' in body


def test_a_stricter_limit_for_inquiries_is_stated(client: Client, gd_mailbox: Mailbox) -> None:
    TimeLimitPolicy.objects.create(
        step=Step.REPLY, mailbox=gd_mailbox, letter_type=LetterType.INQUIRY, days=5, day_kind=DayKind.WORKING
    )
    assert "“咨询”类来信，受理后 5个工作日内答复" in client.get("/m/gd/").content.decode()


def test_the_mailbox_page_speaks_english(client: Client, gd_mailbox: Mailbox) -> None:
    body = unescape(client.get("/m/gd/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert gd_mailbox.name_en in body and "call 110" in body.lower()


def test_an_unknown_or_closed_mailbox_is_not_found(client: Client, gd_mailbox: Mailbox) -> None:
    assert client.get("/m/nowhere/").status_code == 404
    gd_mailbox.is_active = False
    gd_mailbox.save()
    assert client.get("/m/gd/").status_code == 404


def test_published_letters_are_listed_searchable_and_drafts_stay_hidden(
    client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    now = timezone.now()
    shown = publish(citizen, gd_mailbox, "关于户籍迁移办理时限的答复", at=now - dt.timedelta(days=1))
    publish(citizen, gd_mailbox, "关于交通违法处理的答复", at=now - dt.timedelta(days=2))
    publish(citizen, gd_mailbox, "尚未公开的草稿", at=None)
    publish(citizen, gd_mailbox, "定时公开的答复", at=now + dt.timedelta(days=1))
    listing = client.get("/m/gd/published/").content.decode()
    assert "户籍迁移" in listing and "交通违法" in listing
    assert "草稿" not in listing and "定时公开" not in listing
    found = client.get("/m/gd/published/", {"q": "户籍"}).content.decode()
    assert "户籍迁移" in found and "交通违法" not in found
    detail = client.get(f"/m/gd/published/{shown.public_id}/").content.decode()
    assert "来信内容（已隐去个人信息）" in detail and "答复内容" in detail
    assert "户籍迁移" in client.get("/m/gd/").content.decode()


def test_a_publication_is_only_shown_under_its_own_mailbox(client: Client, citizen: User, gd_mailbox: Mailbox) -> None:
    shown = publish(citizen, gd_mailbox, "广东的公开信件", at=timezone.now())
    assert client.get(f"/m/gd-guangzhou/published/{shown.public_id}/").status_code == 404
    assert "广东的公开信件" not in client.get("/m/gd-guangzhou/published/").content.decode()


def test_the_publication_admin_offers_only_letters_the_administrators_unit_may_see(
    client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    """A superuser elsewhere (Shenzhen) cannot attach a publication to, nor read the number of, a Guangdong letter."""
    elsewhere = User.objects.create_superuser(username="sz-admin", password="x", unit=Unit.objects.get(code="440300"))
    letter = submit(citizen, gd_mailbox).letter
    sign_in(client, elsewhere)
    add = client.get(f"/admin/publication/publication/add/?letter={letter.pk}").content.decode()
    assert letter.tracking_number not in add
    response = client.post("/admin/publication/publication/add/", {"letter": letter.pk, "title": "标题",
                           "published_text": "正文", "published_reply": "答复"})  # fmt: skip
    assert response.status_code == 200 and not Publication.objects.exists()
    assert letter.tracking_number not in response.content.decode()
