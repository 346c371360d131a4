"""Identity masking and revealing: an explicit POST with a reason, only for those who need it, recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.factories import CITIZEN_NAME, CITIZEN_PHONE, ConsoleClient, receive
from tests.letters.conftest import decide_accused
from xinfang.accounts.models import IdentityReveal, User
from xinfang.accounts.reveal import identity_reveal
from xinfang.accounts.selectors import writer_identity
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_accept, letter_assign, letter_submit
from xinfang.letters.signals import identity_revealed
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel, LetterType

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox) -> Letter:
    return receive(citizen, gd_mailbox)


@pytest.fixture
def at_tianhe(letter: Letter, acceptor: User, tianhe: Unit) -> Letter:
    letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    return letter_assign(letter=letter, actor=acceptor, unit=tianhe)


@pytest.fixture
def signals() -> Iterator[list[dict[str, Any]]]:
    received: list[dict[str, Any]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        received.append(kwargs)

    identity_revealed.connect(receiver, dispatch_uid="test-identity-reveal")
    yield received
    identity_revealed.disconnect(dispatch_uid="test-identity-reveal")


def url(letter: Letter) -> str:
    return f"/console/identity/{letter.public_id}/"


def test_an_acceptor_reveals_the_identity_with_a_reason_and_it_is_recorded(
    console_client: ConsoleClient, acceptor: User, letter: Letter, signals: list[dict[str, Any]]
) -> None:
    response = console_client(acceptor).post(url(letter), {"category": "contact", "reason": "需电话联系信访人核实地址"})
    page = response.content.decode()
    assert response.status_code == 200
    assert CITIZEN_NAME in page and CITIZEN_PHONE in page and ID_NUMBER in page
    reveal = IdentityReveal.objects.get()
    assert (reveal.letter, reveal.actor, reveal.category, reveal.reason) == (
        letter, acceptor, IdentityReveal.Category.CONTACT, "需电话联系信访人核实地址"
    )  # fmt: skip
    assert signals == [{"signal": identity_revealed, "letter": letter, "actor": acceptor, "category": "contact",
                        "reason": "需电话联系信访人核实地址"}]  # fmt: skip
    audit = AuditEntry.objects.get(kind=AuditKind.IDENTITY_REVEAL)
    assert audit.data == {"category": "contact", "reason": "需电话联系信访人核实地址"}


def test_looking_at_the_page_reveals_nothing(console_client: ConsoleClient, acceptor: User, letter: Letter) -> None:
    page = console_client(acceptor).get(url(letter)).content.decode()
    assert "张*" in page and CITIZEN_NAME not in page and CITIZEN_PHONE not in page
    assert not IdentityReveal.objects.exists()


def test_a_reason_is_required_and_asked_for_next_to_the_field(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    response = console_client(acceptor).post(url(letter), {"category": "contact", "reason": "   "})
    assert response.context["form"].errors["reason"] == ["这个字段是必填项。"]
    assert CITIZEN_NAME not in response.content.decode()
    assert not IdentityReveal.objects.exists()


@pytest.mark.parametrize(
    "reason",
    [
        "\u200b\u200b\u200b\u200bab",
        "\u202eabc",
        "\ufeff\u2066\u2069\u200d\u200c查看",
        "a\x07\x1b\u00adb",
        "。 \u3000 .",
    ],
)
def test_a_reason_of_invisible_characters_is_no_reason(
    console_client: ConsoleClient, acceptor: User, letter: Letter, reason: str
) -> None:
    """Four characters are asked for, and only what a reader sees counts: format and control
    characters (zero-width, bidi overrides and isolates, BOM, soft hyphen) are stripped first."""
    response = console_client(acceptor).post(url(letter), {"category": "contact", "reason": reason})
    assert response.context["form"].errors["reason"] == ["请具体说明查看身份的理由（至少 4 个字）。"]
    page = response.content.decode()
    assert CITIZEN_NAME not in page and '<p class="error" role="alert">请具体说明查看身份的理由' in page
    assert not IdentityReveal.objects.exists()


def test_a_category_is_chosen_from_the_list(console_client: ConsoleClient, acceptor: User, letter: Letter) -> None:
    client = console_client(acceptor)
    for data in ({"reason": "需电话联系信访人"}, {"category": "curiosity", "reason": "需电话联系信访人"}):
        response = client.post(url(letter), data)
        assert "category" in response.context["form"].errors
        assert "需电话联系信访人" in response.content.decode()  # what was typed is kept
    assert not IdentityReveal.objects.exists()


def test_a_good_reason_is_stored_without_its_invisible_characters(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    response = console_client(acceptor).post(url(letter), {"category": "verify", "reason": "\u202e回电\u200b核实身份 "})
    assert CITIZEN_NAME in response.content.decode()
    reveal = IdentityReveal.objects.get()
    assert (reveal.category, reveal.reason) == ("verify", "回电核实身份")


def test_the_categories_speak_english_too(console_client: ConsoleClient, acceptor: User, letter: Letter) -> None:
    client = console_client(acceptor)
    client.cookies["django_language"] = "en"
    page = client.get(url(letter)).content.decode()
    assert "Contact the writer about the letter" in page and "Legal or disciplinary request" in page


def test_the_handling_unit_may_reveal(console_client: ConsoleClient, handler: User, at_tianhe: Letter) -> None:
    response = console_client(handler).post(url(at_tianhe), {"category": "contact", "reason": "办理需要联系信访人"})
    assert CITIZEN_NAME in response.content.decode()
    assert IdentityReveal.objects.filter(actor=handler).count() == 1


def test_an_inspector_sees_the_letter_masked_and_may_not_reveal(
    console_client: ConsoleClient, inspector: User, at_tianhe: Letter
) -> None:
    client = console_client(inspector)
    assert client.get(url(at_tianhe)).status_code == 403
    assert client.post(url(at_tianhe), {"category": "contact", "reason": "督办需要"}).status_code == 403
    assert not IdentityReveal.objects.exists()
    with pytest.raises(PermissionDenied):
        identity_reveal(letter=at_tianhe, actor=inspector, category="investigate", reason="督办需要")


def test_an_outsider_gets_not_found(console_client: ConsoleClient, outsider: User, letter: Letter) -> None:
    assert console_client(outsider).post(url(letter), {"category": "contact", "reason": "好奇"}).status_code == 404
    assert not IdentityReveal.objects.exists()


def test_the_service_refuses_an_empty_reason(acceptor: User, letter: Letter) -> None:
    with pytest.raises(ValidationError):
        identity_reveal(letter=letter, actor=acceptor, category="contact", reason=" ")
    assert not IdentityReveal.objects.exists()


def test_an_anonymous_callers_number_can_be_revealed(
    console_client: ConsoleClient, seat_agent: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    gd_mailbox.channels = [*gd_mailbox.channels, Channel.TELEPHONE]
    gd_mailbox.allows_anonymous_phone = True
    gd_mailbox.save()
    letter = letter_submit(
        mailbox=gd_mailbox, actor=seat_agent, letter_type=LetterType.REPORT, channel=Channel.TELEPHONE,
        subject="匿名举报", text="有人聚众赌博。", anonymous_phone="13700001111",
    ).letter  # fmt: skip
    masked = console_client(acceptor).get(f"/console/desk/{letter.public_id}/").content.decode()
    assert "匿名来电人" in masked and "137****1111" in masked and "13700001111" not in masked
    revealed = (
        console_client(acceptor).post(url(letter), {"category": "contact", "reason": "回拨核实"}).content.decode()
    )
    assert "13700001111" in revealed


def render_block(user: User, letter: Letter) -> str:
    request = RequestFactory().get(f"/console/letters/{letter.public_id}/")
    request.user = user
    context = {"identity": writer_identity(letter), "letter": letter, "request": request}
    return render_to_string("console/identity.html", context, request=request)


def test_the_identity_block_offers_the_reveal_only_to_those_allowed(
    acceptor: User, inspector: User, handler: User, at_tianhe: Letter
) -> None:
    for user, offered in ((acceptor, True), (handler, True), (inspector, False)):
        block = render_block(user, at_tianhe)
        assert "张*" in block and "138****8000" in block and CITIZEN_NAME not in block
        assert (f'action="/console/identity/{at_tianhe.public_id}/"' in block) is offered
