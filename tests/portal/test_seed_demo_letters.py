"""``seed_demo`` with letters and the worker's first start after it (``drain``): the demo's letters,
their figures, publications and notifications."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.letters.models import Letter, LetterState
from xinfang.notifications import sms
from xinfang.notifications.models import Delivery, Notification
from xinfang.orgs.choices import UnitLevel
from xinfang.orgs.models import Mailbox
from xinfang.publication.models import Publication, PublicationState
from xinfang.statistics.models import Grain, Rollup

pytestmark = pytest.mark.django_db
LETTERS = 60


def test_the_demo_letters_after_the_workers_first_start(tree: None) -> None:
    """One seeding serves the three checks (seeding and the worker's first run are most of the time)."""
    sms.outbox.clear()
    out = StringIO()
    call_command("seed_demo", "--letters", str(LETTERS), stdout=out)
    drain()  # what the worker does on first start
    counts_its_letters_so_the_public_figures_are_not_empty(out.getvalue())
    publishes_consenting_replied_letters_through_the_workflow(out.getvalue())
    letters_read_true_and_their_past_is_in_the_inboxes_without_sms_or_email()


def counts_its_letters_so_the_public_figures_are_not_empty(output: str) -> None:
    assert "statistics rollup:" in output
    gd = Mailbox.objects.get(slug="gd")
    assert gd.greeting and gd.office_phone  # the demo mailbox page has a greeting and the office
    received = Rollup.objects.filter(grain=Grain.MONTH, dim="mailbox").aggregate(n=Sum("received"))["n"]
    assert received == Letter.objects.count() > 0
    busiest = Letter.objects.values_list("mailbox", flat=True).first()
    mailbox = Mailbox.objects.get(pk=busiest)
    page = Client().get(f"/m/{mailbox.slug}/statistics/").content.decode()
    total = re.search(r'<tr data-month="total"><th scope="row">[^<]*</th><td class="num">(\d+)</td>', page)
    assert total is not None and int(total.group(1)) == Letter.objects.filter(mailbox=mailbox).count() > 0


def publishes_consenting_replied_letters_through_the_workflow(output: str) -> None:
    published = Publication.objects.filter(state=PublicationState.PUBLISHED).select_related("letter", "mailbox")
    assert published.exists(), output
    assert f"demo publications: {published.count()} letters published" in output
    for publication in published:
        assert publication.letter.consent_to_publish and publication.letter.replied_at is not None
        assert publication.published_by is not None and publication.published_by.username == "gd-leader"
    first = published.first()
    assert first is not None
    page = Client().get(f"/m/{first.mailbox.slug}/published/").content.decode()
    assert first.title in page  # a new user sees it on the mailbox's public list


def letters_read_true_and_their_past_is_in_the_inboxes_without_sms_or_email() -> None:
    """A city's mailbox has letters about that city; nothing waits at a desk or with a handler for
    months; the seeded past notifies the inboxes (the worker's first start: the test's
    ``drain``), and no SMS or e-mail goes out about it."""

    city_letters = Letter.objects.filter(mailbox__owner__level=UnitLevel.PREFECTURE).select_related("mailbox__owner")
    assert city_letters.exists()
    for letter in city_letters:
        assert letter.division_code[:4] == letter.mailbox.owner.division_code[:4], letter.tracking_number
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    long_overdue = Letter.objects.filter(
        state__in=[LetterState.RECEIVED, LetterState.ACCEPTED, LetterState.ASSIGNED, LetterState.IN_HANDLING],
        current_due__lt=month_ago,
    )
    assert list(long_overdue.values_list("tracking_number", "state", "current_due")) == []

    assert Notification.objects.filter(recipient__kind=User.Kind.CITIZEN).exists()
    assert not Delivery.objects.exists()
    assert sms.outbox == [] and mail.outbox == []
