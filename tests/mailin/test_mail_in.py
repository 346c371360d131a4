"""Letters by e-mail, end to end: a real SMTP client against the real server on a loopback port,
then the worker's task (run in-process), then the answer the writer gets."""

from __future__ import annotations

import datetime as dt
import io
import smtplib
from collections.abc import Callable
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from tests.mailin.conftest import ADDRESS, WRITER, Server, crlf, letter_mail
from tests.notifications.conftest import drain
from xinfang.letters.models import Attachment, Letter
from xinfang.letters.services.query_codes import query_code_matches
from xinfang.mailin.models import InboundMessage, MailAddress
from xinfang.mailin.services import mailin_sweep, message_convert
from xinfang.vocabulary import Channel, LetterType


def answers() -> list[mail.EmailMessage]:
    """Our answers to writers (the product's own notifications, such as its receipt, go out besides)."""
    return [m for m in mail.outbox if m.extra_headers.get("Message-ID", "").startswith("<mailin-")]


def the_reply() -> mail.EmailMessage:
    replies = answers()
    assert len(replies) == 1, [m.subject for m in mail.outbox]
    return replies[0]


def query_code_in(body: str) -> str:
    line = next(line for line in body.splitlines() if line.startswith("查询码："))
    return line.removeprefix("查询码：").strip()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def test_a_message_becomes_one_email_letter_and_the_writer_gets_its_numbers(smtp_server: Server) -> None:
    smtp_server.send(letter_mail())
    drain()
    letter = Letter.objects.get()
    assert (letter.channel, letter.letter_type, letter.mailbox.slug) == (Channel.EMAIL, LetterType.COMPLAINT, "gd")
    assert letter.subject == "派出所办户口拖了三个月"
    assert letter.text == "我在天河区派出所办理户口迁移，材料齐全却一直不办。"
    assert letter.citizen is not None and letter.citizen.email == WRITER
    reply = the_reply()
    assert reply.to == [WRITER]
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    assert letter.tracking_number in reply.subject
    assert f"信件编号：{letter.tracking_number}" in reply.body
    assert f"Tracking number: {letter.tracking_number}" in reply.body
    code = query_code_in(reply.body)
    assert query_code_matches(letter, code)
    assert f"Query code: {code}" in reply.body
    row = InboundMessage.objects.get()
    assert (row.status, row.letter, bytes(row.raw), row.reply_code) == (
        InboundMessage.Status.CONVERTED,
        letter,
        b"",
        "",
    )
    assert row.replied_at is not None
    # The writer is a citizen known by the address: the letter's steps reach it like any writer's.
    receipts = [m for m in mail.outbox if m not in answers()]
    assert [m.to for m in receipts] == [[WRITER]] and letter.tracking_number in receipts[0].body


def test_the_same_message_delivered_twice_is_one_letter(smtp_server: Server) -> None:
    """A sending server that lost our 250 sends the message again: same Message-ID and content."""
    message = letter_mail()
    smtp_server.send(message)
    smtp_server.send(message)
    drain()
    assert Letter.objects.count() == InboundMessage.objects.count() == 1
    assert len(answers()) == 1


def test_a_second_message_from_the_same_writer_is_a_second_letter_of_the_same_account(smtp_server: Server) -> None:
    smtp_server.send(letter_mail("第一封"))
    smtp_server.send(letter_mail("第二封"))
    drain()
    letters = list(Letter.objects.order_by("pk"))
    assert [letter.subject for letter in letters] == ["第一封", "第二封"]
    assert letters[0].citizen == letters[1].citizen


def test_an_html_only_message_is_read_as_text(smtp_server: Server) -> None:
    smtp_server.send(
        letter_mail(html="<html><body><p>窗口民警<b>态度恶劣</b></p><p>第二段<br>第三行</p></body></html>")
    )
    drain()
    lines = Letter.objects.get().text.splitlines()
    assert "<" not in "".join(lines)
    assert "窗口民警" in lines[0] and "态度恶劣" in lines[0]  # one paragraph, one line
    assert "第二段" in lines[2] and "第三行" in lines[3]  # a new paragraph, a line break


def test_a_message_without_a_subject_takes_its_first_line(smtp_server: Server) -> None:
    smtp_server.send(letter_mail(subject="", text="\n交警罚款不开票据\n具体情况如下。"))
    drain()
    assert Letter.objects.get().subject == "交警罚款不开票据"


def test_an_image_attachment_is_stored_like_an_upload(smtp_server: Server) -> None:
    message = letter_mail()
    message.add_attachment(png(), maintype="image", subtype="png", filename="现场照片.png")
    smtp_server.send(message)
    drain()
    attachment = Attachment.objects.get()
    assert attachment.letter == Letter.objects.get()
    assert attachment.original_name == "现场照片.png"
    assert attachment.sanitised  # the copy without metadata that staff open, as for the portal's uploads


def test_an_attachment_the_portal_would_refuse_leaves_no_letter_and_the_writer_is_told_why(
    smtp_server: Server,
) -> None:
    message = letter_mail()
    message.add_attachment(
        b"MZ\x90\x00 not a picture", maintype="application", subtype="octet-stream", filename="a.exe"
    )
    smtp_server.send(message)
    drain()
    assert not Letter.objects.exists() and not Attachment.objects.exists()
    row = InboundMessage.objects.get()
    assert row.status == InboundMessage.Status.REFUSED
    reply = the_reply()
    assert "未能登记为信件：不支持的文件类型" in reply.body
    assert "could not register it as a letter: Unsupported file type" in reply.body
    assert "查询码" not in reply.body


def test_emergency_text_is_registered_flagged_and_answered_with_call_110_first(smtp_server: Server) -> None:
    smtp_server.send(letter_mail("救命", "有人正在砸我家的门，拿着刀，现在就在门外！"))
    drain()
    letter = Letter.objects.get()
    assert letter.emergency_flag  # heads the front desk's queue, as every channel's letters do
    body = the_reply().body
    assert body.startswith("如果危险正在发生，请立即拨打 110。")
    assert "If someone is in danger right now, call 110." in body


def test_a_letter_intake_refuses_is_answered_with_the_reason(smtp_server: Server, mail_address: MailAddress) -> None:
    """The mailbox stopped taking complaints after the address was opened: intake's own rule decides."""
    mailbox = mail_address.mailbox
    mailbox.letter_types = [LetterType.INQUIRY]
    mailbox.save(update_fields=["letter_types"])
    smtp_server.send(letter_mail())
    drain()
    assert not Letter.objects.exists()
    body = the_reply().body
    assert "该信箱不受理此类信件。" in body
    assert "This mailbox does not take this type of letter." in body


def test_a_message_the_parser_cannot_read_is_answered_and_not_retried(smtp_server: Server) -> None:
    with mock.patch("xinfang.mailin.services.read_letter", side_effect=ValueError("broken MIME")):
        smtp_server.send(letter_mail())
        drain()
    assert InboundMessage.objects.get().status == InboundMessage.Status.REFUSED
    assert not Letter.objects.exists()
    assert "The message could not be read." in the_reply().body


# ---------------------------------------------------------------- refused at the SMTP level


def refusal(smtp_server: Server, **kwargs: object) -> tuple[int, str]:
    message = kwargs.pop("message", None) or letter_mail()
    with pytest.raises(smtplib.SMTPException) as refused:
        smtp_server.send(message, **kwargs)  # type: ignore[arg-type]
    error = refused.value
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
    else:
        assert isinstance(error, smtplib.SMTPResponseException), error
        code, text = error.smtp_code, error.smtp_error
    return code, text.decode()


def assert_nothing_stored() -> None:
    assert not InboundMessage.objects.exists()
    assert not Letter.objects.exists()


def test_mail_to_an_unknown_address_is_refused_with_550(smtp_server: Server) -> None:
    assert refusal(smtp_server, to=("nobody@mail.example.cn",)) == (550, "5.1.1 No such mailbox here")
    assert_nothing_stored()


def test_mail_to_a_mailbox_without_the_email_channel_is_refused(smtp_server: Server, mail_address: MailAddress) -> None:
    mailbox = mail_address.mailbox
    mailbox.channels = [c for c in mailbox.channels if c != Channel.EMAIL]
    mailbox.save(update_fields=["channels"])
    assert refusal(smtp_server) == (550, "5.2.1 This mailbox does not take letters by e-mail")
    assert_nothing_stored()


def test_an_oversized_message_is_refused_with_552(start_server: Callable[[], Server]) -> None:
    with override_settings(XINFANG_MAILIN_MAX_BYTES=20_000):
        server = start_server()
    big = letter_mail(text="很长的一行。\n" * 5_000)
    # A client that declares the size (ESMTP SIZE) is refused at MAIL FROM …
    code, text = refusal(server, message=big)
    assert (code, text) == (552, "Error: message size exceeds fixed maximum message size")
    # … one that does not, at the end of DATA.
    with server.client() as client:
        client.ehlo()
        client.mail(WRITER)
        client.rcpt(ADDRESS)
        assert client.data(crlf(big)) == (552, b"Error: Too much mail data")
    assert_nothing_stored()


def test_a_message_the_upstream_filter_flagged_as_spam_is_refused(smtp_server: Server) -> None:
    message = letter_mail()
    message["X-Spam-Flag"] = "YES"
    assert refusal(smtp_server, message=message) == (
        550,
        "5.7.1 Refused as spam (X-Spam-Flag: YES from the upstream filter)",
    )
    assert_nothing_stored()


def test_an_auto_reply_is_refused_so_that_two_responders_do_not_loop(smtp_server: Server) -> None:
    message = letter_mail()
    message["Auto-Submitted"] = "auto-replied"
    code, text = refusal(smtp_server, message=message)
    assert (code, text.split(" ")[0]) == (550, "5.7.1") and "Automatic messages" in text
    assert_nothing_stored()


def test_a_delivery_report_without_a_sender_is_refused(smtp_server: Server) -> None:
    code, text = refusal(smtp_server, sender="")
    assert code == 550 and "without a sender" in text
    assert_nothing_stored()


@override_settings(XINFANG_MAILIN_MAX_RECIPIENTS=2)
def test_more_recipients_than_the_cap_are_refused_and_the_first_ones_kept(
    smtp_server: Server, mail_address: MailAddress
) -> None:
    for name in ("b", "c"):
        MailAddress.objects.create(address=f"{name}@mail.example.cn", mailbox=mail_address.mailbox)
    with smtp_server.client() as client:
        refused = client.send_message(
            letter_mail(), from_addr=WRITER, to_addrs=[ADDRESS, "b@mail.example.cn", "c@mail.example.cn"]
        )
    assert refused == {"c@mail.example.cn": (550, b"5.5.3 Too many recipients: at most 2 mailboxes per message")}
    assert InboundMessage.objects.count() == 2


@override_settings(XINFANG_MAILIN_PER_SENDER_PER_HOUR=2)
def test_a_sender_over_the_hourly_limit_is_refused_until_the_hour_has_passed(smtp_server: Server) -> None:
    smtp_server.send(letter_mail("一"))
    smtp_server.send(letter_mail("二"))
    code, text = refusal(smtp_server, message=letter_mail("三"))
    assert code == 550 and "at most 2 an hour" in text
    assert InboundMessage.objects.count() == 2
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        smtp_server.send(letter_mail("三"))
    assert InboundMessage.objects.count() == 3


# ---------------------------------------------------------------- crashes and retries in the worker


def test_a_conversion_that_dies_half_way_leaves_no_letter_and_the_retry_makes_exactly_one(smtp_server: Server) -> None:
    """The worker dies after the letter was written but before the spool row was marked: one
    transaction, so nothing of it stays; the next run (the sweep here) converts the message once."""
    smtp_server.send(letter_mail())
    row = InboundMessage.objects.get()
    with (
        mock.patch.object(InboundMessage, "save", side_effect=RuntimeError("worker killed")),
        pytest.raises(RuntimeError),
    ):
        message_convert(message_pk=row.pk)
    assert not Letter.objects.exists()
    row.refresh_from_db()
    assert row.status == InboundMessage.Status.SPOOLED and row.raw
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert mailin_sweep() == {"converted": 1, "replies": 1}
        assert mailin_sweep() == {"converted": 0, "replies": 0}
    assert Letter.objects.count() == 1
    assert len(answers()) == 1


def test_an_answer_that_could_not_be_sent_is_sent_by_the_sweep_later(smtp_server: Server) -> None:
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("down")):
        smtp_server.send(letter_mail())
        drain()
    row = InboundMessage.objects.get()
    assert row.replied_at is None and row.reply_code and "down" in row.reply_error
    assert mailin_sweep() == {"converted": 0, "replies": 0}  # not yet: the back-off
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        assert mailin_sweep() == {"converted": 0, "replies": 1}
    assert query_code_matches(Letter.objects.get(), query_code_in(the_reply().body))
