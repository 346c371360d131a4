"""What the mailbox page has besides its intro (issue 18 §3): the director's greeting, the office's
phone and hours, the mailbox's own stricter time limits, and the three newest published letters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.conftest import make_staff
from tests.factories import at
from tests.publication.conftest import replied_letter
from xinfang.accounts.models import Role, User
from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.deadlines.policies import Step
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication import services
from xinfang.publication.models import Publication
from xinfang.vocabulary import LetterType

pytestmark = pytest.mark.django_db


def mailbox_page(language: str = "zh-CN") -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/m/gd/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_greeting_phone_and_hours_set_in_the_admin_are_shown(gd_mailbox: Mailbox) -> None:
    assert 'data-testid="greeting"' not in mailbox_page() and "信访办公室" not in mailbox_page()
    gd_mailbox.greeting, gd_mailbox.greeting_en = "欢迎您给我写信。", "Thank you for writing."
    gd_mailbox.office_phone, gd_mailbox.office_hours = "020-8311 3000", "工作日 9:00–17:30"
    gd_mailbox.office_hours_en = "Working days 9:00–17:30"
    gd_mailbox.save()
    page = mailbox_page()
    assert "欢迎您给我写信。" in page and 'href="tel:020-83113000"' in page and "工作日 9:00–17:30" in page
    english = mailbox_page("en")
    assert "Thank you for writing." in english and "Working days 9:00–17:30" in english
    assert "欢迎您给我写信" not in english


def test_the_mailbox_own_stricter_limits_are_named_against_the_law(gd_mailbox: Mailbox) -> None:
    assert 'data-testid="promises"' not in mailbox_page()
    TimeLimitPolicy.objects.create(mailbox=gd_mailbox, step=Step.REPLY, days=30)
    TimeLimitPolicy.objects.create(mailbox=gd_mailbox, step=Step.REPLY, letter_type=LetterType.INQUIRY, days=10)
    page = mailbox_page()
    assert "办理答复：30日（法定 60日）" in page
    assert "“咨询”类来信办理答复：10日（法定 60日）" in page
    assert "受理告知：" not in page  # the acceptance limit is the law's


def test_the_three_newest_published_letters_are_shown_and_nothing_unpublished(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User
) -> None:
    publisher = make_staff("publisher", tianhe, Role.PUBLISHER)
    titles = []
    for i, subject in enumerate(["建议一号窗口延时", "建议二号窗口延时", "建议三号窗口延时", "建议四号窗口延时"]):
        with at(dt.date(2026, 3, 2) + dt.timedelta(days=i)):
            letter = replied_letter(citizen, gd_mailbox, acceptor, tianhe, handler, leader, subject=subject)
            publication = services.publication_propose(letter=letter, actor=publisher)
            services.publication_submit(publication=publication, actor=publisher)
            titles.append(services.publication_approve(publication=publication, actor=leader).title)
    draft_letter = replied_letter(citizen, gd_mailbox, acceptor, tianhe, handler, leader, subject="建议五号窗口延时")
    draft = services.publication_propose(letter=draft_letter, actor=publisher)
    page = mailbox_page()
    assert [title in page for title in titles] == [False, True, True, True]
    assert draft.title not in page
    assert Publication.objects.count() == 5
