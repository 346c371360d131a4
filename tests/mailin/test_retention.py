"""What letters by e-mail keep of their senders: a writer's account and address go with the citizens'
rule (XINFANG_IDENTITY_RETENTION_DAYS after the last letter was finished); the sender of a message
that became no letter goes XINFANG_MAILIN_REFUSED_DAYS after it was answered. The daily retention
job does both; the letters stay."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.mailin.conftest import ADDRESS, WRITER, crlf, letter_mail
from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.letters.models import Letter, RefusalReason
from xinfang.letters.services import letter_refuse
from xinfang.mailin.models import InboundMessage, MailAddress
from xinfang.mailin.services import message_spool
from xinfang.worker.retention import retention_sweep

pytestmark = pytest.mark.django_db

IDENTITY_PERIOD = dt.timedelta(days=settings.XINFANG_IDENTITY_RETENTION_DAYS)
REFUSED_PERIOD = dt.timedelta(days=settings.XINFANG_MAILIN_REFUSED_DAYS)
DAY = dt.timedelta(days=1)


def mailed(subject: str = "派出所办户口拖了三个月", *, attachment: bytes | None = None) -> InboundMessage:
    """One message spooled as the SMTP server spools it, converted and answered by the worker."""
    message = letter_mail(subject)
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="a.exe")
    [row] = message_spool(recipients=[ADDRESS], envelope_sender=WRITER, raw=crlf(message))
    drain()
    row.refresh_from_db()
    assert row.replied_at is not None and bytes(row.raw) == b""  # the raw message went at conversion
    return row


def finished(row: InboundMessage, acceptor: User) -> Letter:
    assert row.letter is not None
    return letter_refuse(letter=row.letter, actor=acceptor, reason=RefusalReason.NO_SUBSTANCE)


def test_an_email_writer_is_erased_a_retention_period_after_the_last_letter_was_finished(
    mail_address: MailAddress, acceptor: User
) -> None:
    row = mailed()
    letter = finished(row, acceptor)
    writer = letter.citizen
    assert writer is not None and writer.email == WRITER
    done = timezone.now()

    with time_machine.travel(done + IDENTITY_PERIOD - DAY):
        assert retention_sweep()["mail_writers_erased"] == 0
    writer.refresh_from_db()
    row.refresh_from_db()
    assert (writer.email, row.envelope_sender, row.reply_to) == (WRITER, WRITER, WRITER)

    with time_machine.travel(done + IDENTITY_PERIOD + DAY):
        assert retention_sweep()["mail_writers_erased"] == 1
    writer.refresh_from_db()
    row.refresh_from_db()
    assert (writer.email, writer.is_active, writer.has_usable_password()) == ("", False, False)
    assert writer.username == f"erased-mail-{writer.pk}"  # no longer the hash that confirms the address
    assert (row.envelope_sender, row.reply_to, row.message_id, row.status) == ("", "", "", "converted")
    assert Letter.objects.get(pk=letter.pk).citizen == writer  # the letter stays, from a nameless writer
    entry = AuditEntry.objects.get(kind=AuditKind.IDENTITY_ERASURE)
    assert entry.data == {"letters": 1, "messages": 1, "account_closed": True} and WRITER not in str(entry.data)

    # The address writes again: a new writer, not the erased account.
    later = mailed("又来信了")
    assert later.letter is not None and later.letter.citizen not in (None, writer)
    assert later.letter.citizen.email == WRITER


def test_an_email_writer_with_a_letter_still_open_is_kept(mail_address: MailAddress, acceptor: User) -> None:
    finished(mailed("第一封"), acceptor)
    mailed("第二封")  # still waiting at the desk
    with time_machine.travel(timezone.now() + IDENTITY_PERIOD + DAY):
        assert retention_sweep()["mail_writers_erased"] == 0
    assert User.objects.get(email=WRITER).is_active
    assert set(InboundMessage.objects.values_list("envelope_sender", flat=True)) == {WRITER}


def test_the_sender_of_a_message_that_became_no_letter_goes_after_its_own_period(mail_address: MailAddress) -> None:
    row = mailed(attachment=b"MZ\x90\x00 not a picture")
    assert row.status == InboundMessage.Status.REFUSED and row.processed_at is not None

    with time_machine.travel(row.processed_at + REFUSED_PERIOD - DAY):
        assert retention_sweep()["mail_senders_erased"] == 0
    row.refresh_from_db()
    assert (row.envelope_sender, row.reply_to) == (WRITER, WRITER)

    with time_machine.travel(row.processed_at + REFUSED_PERIOD + DAY):
        assert retention_sweep()["mail_senders_erased"] == 1
    row.refresh_from_db()
    assert (row.envelope_sender, row.reply_to, row.message_id) == ("", "", "")
    assert row.status == InboundMessage.Status.REFUSED and "不支持的文件类型" in row.refusal  # why stays
    assert not User.objects.filter(email=WRITER).exists()  # a refusal leaves no account


def test_the_erase_identities_command_counts_and_erases_email_writers_as_the_daily_job_does(
    mail_address: MailAddress, acceptor: User
) -> None:
    writer = finished(mailed(), acceptor).citizen
    assert writer is not None

    with time_machine.travel(timezone.now() + IDENTITY_PERIOD + DAY):
        dry = StringIO()
        call_command("erase_identities", "--dry-run", stdout=dry)
        assert "would erase: 0 citizens' identities, 0 anonymous callers' numbers, 1 e-mail writers'" in dry.getvalue()
        assert User.objects.get(pk=writer.pk).email == WRITER  # a dry run changes nothing

        out = StringIO()
        call_command("erase_identities", stdout=out)
        assert "erased: 0 citizens' identities, 0 anonymous callers' numbers, 1 e-mail writers'" in out.getvalue()
    assert User.objects.get(pk=writer.pk).email == ""
    assert not InboundMessage.objects.filter(envelope_sender=WRITER).exists()
