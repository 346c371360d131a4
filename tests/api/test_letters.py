"""Letters through the partner API: submit → status → conversation → message, with the same rules as
the portal and the seat (the services they call), and the one error shape."""

from __future__ import annotations

import pytest

from tests.api.conftest import Partner, PartnerFor, issue, letter_body
from tests.conftest import make_staff
from xinfang.accounts.models import Role, User
from xinfang.api.models import Scope
from xinfang.letters.models import Letter, Message
from xinfang.letters.services import message_post
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel

pytestmark = pytest.mark.django_db


def test_a_partner_submits_for_a_verified_citizen_and_follows_the_letter(
    partner: Partner, partner_mailbox: Mailbox, citizen: User, acceptor: User
) -> None:
    submitted = partner.post("/letters", letter_body(partner_mailbox))
    assert submitted.status_code == 201, submitted.content
    receipt = submitted.json()
    letter = Letter.objects.get(tracking_number=receipt["tracking_number"])
    assert (letter.citizen, letter.channel, letter.registered_by) == (citizen, Channel.PARTNER_API, None)

    lookup = {"tracking_number": receipt["tracking_number"], "query_code": receipt["query_code"]}
    status = partner.post("/letters/status", lookup)
    assert status.status_code == 200
    assert status.json()["state"] == "received"
    assert [step["label"] for step in status.json()["timeline"]] == ["收到信件"]

    message_post(letter=letter, actor=acceptor, kind=Message.Kind.TO_CITIZEN, text="请补充户籍证明。")
    message_post(letter=letter, actor=acceptor, kind=Message.Kind.INTERNAL_NOTE, text="内部：核实中")
    written = partner.post("/letters/messages", {**lookup, "text": "已补充，谢谢。"})
    assert written.status_code == 201, written.content

    conversation = partner.post("/letters/conversation", lookup).json()
    assert [(m["direction"], m["text"]) for m in conversation["messages"]] == [
        ("to_citizen", "请补充户籍证明。"),
        ("from_citizen", "已补充，谢谢。"),
    ]  # never the internal note


def test_a_wrong_query_code_finds_nothing(partner: Partner, partner_mailbox: Mailbox, citizen: User) -> None:
    receipt = partner.post("/letters", letter_body(partner_mailbox)).json()
    response = partner.post("/letters/status", {"tracking_number": receipt["tracking_number"], "query_code": "WRONG1"})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "信件编号或查询码不正确。", "fields": {}}


def test_guessing_query_codes_is_stopped(partner: Partner, partner_mailbox: Mailbox, citizen: User) -> None:
    receipt = partner.post("/letters", letter_body(partner_mailbox)).json()
    wrong = {"tracking_number": receipt["tracking_number"], "query_code": "WRONG1"}
    assert {partner.post("/letters/status", wrong).status_code for _ in range(10)} == {404}
    right = {**wrong, "query_code": receipt["query_code"]}
    assert partner.post("/letters/status", right).json()["code"] == "rate_limited"


def test_it_validates_ownership(
    partner_for: PartnerFor, partner: Partner, partner_mailbox: Mailbox, citizen: User, shenzhen: Unit
) -> None:
    """A token of another bureau's mailbox neither finds nor writes on this mailbox's letters."""
    receipt = partner.post("/letters", letter_body(partner_mailbox)).json()
    other_box = Mailbox.objects.filter(owner=shenzhen).first()
    assert other_box is not None
    outsider = partner_for(issue(other_box)[1])
    lookup = {"tracking_number": receipt["tracking_number"], "query_code": receipt["query_code"]}
    assert outsider.post("/letters/status", lookup).status_code == 404
    assert outsider.post("/letters/conversation", lookup).status_code == 404
    assert outsider.post("/letters/messages", {**lookup, "text": "冒充留言"}).status_code == 404
    assert outsider.post("/letters", letter_body(partner_mailbox)).json()["code"] == "unknown_mailbox"
    assert not Message.objects.exists()


def test_a_citizen_is_identified_by_phone_and_id_number_together(
    partner: Partner, partner_mailbox: Mailbox, citizen: User
) -> None:
    body = letter_body(partner_mailbox, citizen={"phone": "13800138000", "id_number": "440106198503171234"})
    response = partner.post("/letters", body)
    assert response.status_code == 422
    assert response.json()["code"] == "citizen_not_found"
    assert not Letter.objects.exists()


def test_an_anonymous_caller_is_registered_by_the_seat_who_took_the_call(
    partner: Partner, partner_mailbox: Mailbox, seat_agent: User
) -> None:
    body = letter_body(
        partner_mailbox, citizen=None, letter_type="report", subject="匿名举报赌博窝点",
        text="某小区地下室有人聚众赌博。", anonymous_caller={"phone": "+86 139-0000-1111", "seat": "seat"},
    )  # fmt: skip
    response = partner.post("/letters", body)
    assert response.status_code == 201, response.content
    letter = Letter.objects.get(tracking_number=response.json()["tracking_number"])
    assert letter.citizen is None and letter.registered_by == seat_agent and letter.channel == Channel.TELEPHONE
    assert letter.anonymous_caller is not None and letter.anonymous_caller.phone == "13900001111"


def test_anonymous_calls_only_where_the_mailbox_allows_them(
    partner: Partner, partner_mailbox: Mailbox, seat_agent: User
) -> None:
    partner_mailbox.allows_anonymous_phone = False
    partner_mailbox.save(update_fields=["allows_anonymous_phone"])
    body = letter_body(partner_mailbox, citizen=None, anonymous_caller={"phone": "13900001111", "seat": "seat"})
    response = partner.post("/letters", body)
    assert response.status_code == 422
    assert response.json() == {"code": "refused", "message": "该信箱不受理匿名来电。", "fields": {}}


def test_a_seat_of_another_bureau_cannot_register(partner: Partner, partner_mailbox: Mailbox, shenzhen: Unit) -> None:
    make_staff("sz-seat", shenzhen, Role.SEAT_AGENT)
    body = letter_body(partner_mailbox, citizen=None, anonymous_caller={"phone": "13900001111", "seat": "sz-seat"})
    assert partner.post("/letters", body).json()["code"] == "unknown_seat"


def test_an_emergency_is_refused_with_call_110_as_the_portal_does(
    partner: Partner, partner_mailbox: Mailbox, citizen: User
) -> None:
    body = letter_body(partner_mailbox, text="有人正在砍人，快来！就在楼下。")
    refused = partner.post("/letters", body)
    assert refused.status_code == 422
    assert refused.json()["code"] == "emergency"
    assert "110" in refused.json()["message"]
    assert not Letter.objects.exists()
    confirmed = partner.post("/letters", {**body, "not_emergency": True})
    assert confirmed.status_code == 201
    assert Letter.objects.get().emergency_flag  # still flagged red at the front desk


def test_errors_speak_the_requests_language(partner_for: PartnerFor, key: str, partner_mailbox: Mailbox) -> None:
    english = partner_for(key)
    english.language = "en"
    response = english.post("/letters/status", {"tracking_number": "GD-NOPE", "query_code": "NOPE"})
    assert response.json()["message"] == "The tracking number or the query code is not correct."


def test_a_body_that_does_not_validate_names_its_fields(partner: Partner, partner_mailbox: Mailbox) -> None:
    response = partner.post("/letters", letter_body(partner_mailbox, letter_type="gossip", subject=""))
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "invalid" and {"letter_type", "subject"} <= set(error["fields"])


def test_a_message_on_a_closed_letter_is_refused_by_the_letters_rule(
    partner: Partner, partner_mailbox: Mailbox, citizen: User
) -> None:
    receipt = partner.post("/letters", letter_body(partner_mailbox)).json()
    Letter.objects.filter(tracking_number=receipt["tracking_number"]).update(state="closed")
    lookup = {"tracking_number": receipt["tracking_number"], "query_code": receipt["query_code"]}
    response = partner.post("/letters/messages", {**lookup, "text": "还有问题"})
    assert response.status_code == 422
    assert response.json()["message"] == "您不能在这封信上留言。"


def test_a_token_needs_the_scope_of_the_operation(
    partner_for: PartnerFor, partner_mailbox: Mailbox, citizen: User
) -> None:
    reader = partner_for(issue(partner_mailbox, scopes=[Scope.PUBLICATION_READ])[1])
    response = reader.post("/letters", letter_body(partner_mailbox))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Letter.objects.exists()
