"""The administrators' pages of letters by e-mail: addresses are edited there; received messages are
read-only and follow the letters' access policy (an administrator elsewhere sees none of them)."""

from __future__ import annotations

from django.test import Client

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.mailin.conftest import ADDRESS, Server, letter_mail
from tests.notifications.conftest import drain
from xinfang.accounts.models import Role, User
from xinfang.mailin.models import InboundMessage, MailAddress
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType


def administrator(at: Unit, name: str) -> User:
    user = make_staff(name, at, Role.ADMINISTRATOR)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def test_an_administrator_opens_an_address_for_a_mailbox(guangdong: Unit, gd_mailbox: Mailbox) -> None:
    client = sign_in(Client(), administrator(guangdong, "admin-gd"))
    response = client.post(
        "/admin/mailin/mailaddress/add/",
        {"address": "GD-Jubao@Mail.Example.cn", "mailbox": gd_mailbox.pk, "letter_type": LetterType.REPORT,
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    address = MailAddress.objects.get()
    assert (address.address, address.mailbox, address.letter_type) == ("gd-jubao@mail.example.cn", gd_mailbox, "report")


def test_received_messages_are_shown_only_to_administrators_whose_unit_may_see_the_letter(
    smtp_server: Server, guangdong: Unit, shenzhen: Unit
) -> None:
    smtp_server.send(letter_mail())
    drain()
    row = InboundMessage.objects.get()
    tracking_number = row.letter.tracking_number if row.letter else ""
    own = sign_in(Client(), administrator(guangdong, "admin-gd"))
    page = own.get("/admin/mailin/inboundmessage/")
    assert page.status_code == 200 and tracking_number in page.content.decode()
    assert own.get(f"/admin/mailin/inboundmessage/{row.pk}/change/").status_code == 200
    outsider = sign_in(Client(), administrator(shenzhen, "admin-sz"))
    page = outsider.get("/admin/mailin/inboundmessage/")
    assert page.status_code == 200 and tracking_number not in page.content.decode()
    assert ADDRESS not in page.content.decode()
    assert (
        outsider.get(f"/admin/mailin/inboundmessage/{row.pk}/change/").status_code == 302
    )  # "not found": back to the index
