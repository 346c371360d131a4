"""A replayed past (the demo's seeded months) notifies the inboxes only: no SMS, no e-mail."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.letters.conftest import submit
from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.letters import services as s
from xinfang.notifications import sms
from xinfang.notifications.models import Delivery, Kind, Notification
from xinfang.notifications.quiet import inbox_only
from xinfang.orgs.models import Mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def acceptor_with_email(acceptor: User) -> User:
    acceptor.email = "acceptor@gd.example"
    acceptor.save(update_fields=["email"])
    return acceptor


def test_inside_inbox_only_everyone_is_told_in_the_inbox_and_nothing_leaves(
    citizen: User, acceptor_with_email: User, gd_mailbox: Mailbox
) -> None:
    with inbox_only():
        letter = submit(citizen, gd_mailbox).letter
        s.letter_accept(letter=letter, actor=acceptor_with_email)
    drain()  # later, in the worker: the flag went with the tasks
    kinds = set(Notification.objects.filter(recipient=citizen).values_list("kind", flat=True))
    assert kinds == {Kind.RECEIPT, Kind.ACCEPTED}
    assert Notification.objects.filter(recipient=acceptor_with_email, kind=Kind.NEW_LETTER).exists()
    assert not Delivery.objects.exists()
    assert sms.outbox == [] and mail.outbox == []


def test_after_the_block_the_same_steps_go_out_by_sms_and_email_again(
    citizen: User, acceptor_with_email: User, gd_mailbox: Mailbox
) -> None:
    with inbox_only():
        pass
    submit(citizen, gd_mailbox)
    drain()
    assert len(sms.outbox) == 1 and "已收到" in sms.outbox[0].text
    assert [m.to for m in mail.outbox] == [["acceptor@gd.example"]]
