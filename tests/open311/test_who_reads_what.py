"""Open311 reads reveal no more than the portal: the list holds published letters only, and a letter
that is not published is shown by its tracking number only with its query code (throttled like the
portal's look-up); otherwise the answer is the one for a letter that does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import published_letters
from tests.open311.conftest import ROOT, check_request, request_form, xml_items
from xinfang.accounts.models import User
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db

NOT_SHOWN = [(404, "没有可以查看的该编号信件：未公开的信件须同时提供正确的查询码（query_code）。")]
WRONG_CODE = "ABCD-EFGH-JKMN-PQRS"


def submitted(client: Client, api_key: str) -> tuple[str, str]:
    """A letter submitted through Open311 (received, not published): its tracking number and query code."""
    response = client.post(f"{ROOT}/requests.json", request_form(api_key))
    assert response.status_code == 201
    receipt = response.json()[0]
    return receipt["service_request_id"], receipt["service_notice"].split("查询码 ")[1].split("：")[0]


def detail(client: Client, number: str, fmt: str = "json", *, address: str = "192.0.2.1", **query: str) -> Any:
    return client.get(f"{ROOT}/requests/{number}.{fmt}", query, REMOTE_ADDR=address)


def errors(response: Any) -> list[tuple[int, str]]:
    return [(error["code"], error["description"]) for error in response.json()]


def test_an_unpublished_letter_is_shown_only_with_its_query_code(client: Client, api_key: str, citizen: User) -> None:
    number, code = submitted(client, api_key)
    missing = detail(client, "GD-20261207-999999")
    assert missing.status_code == 404 and errors(missing) == NOT_SHOWN

    for answer in (detail(client, number), detail(client, number, query_code=WRONG_CODE)):
        assert answer.status_code == 404
        assert errors(answer) == NOT_SHOWN  # the same words as for no letter at all
    assert errors(detail(client, "GD-20261207-999999", query_code=WRONG_CODE)) == NOT_SHOWN

    shown = detail(client, number, query_code=code)
    assert shown.status_code == 200
    [item] = shown.json()
    check_request(item)
    assert (item["service_request_id"], item["status"], item["status_notes"]) == (number, "open", "已接收，待受理")
    by_header = client.get(f"{ROOT}/requests/{number}.json", headers={"X-Query-Code": code})
    assert [item["service_request_id"] for item in by_header.json()] == [number]
    as_written = detail(client, number, "xml", query_code=code.lower().replace("-", " "))
    [request] = xml_items(as_written.content, "service_requests", "request")
    assert request.findtext("service_request_id") == number


def test_a_published_letter_is_shown_to_anyone(client: Client, open_mailbox: Mailbox, tianhe: Unit) -> None:
    [publication] = published_letters(open_mailbox, tianhe, ["路灯不亮"])
    [item] = detail(client, publication.letter.tracking_number).json()
    assert (item["description"], item["agency_responsible"]) == ("路灯不亮。", tianhe.name)


def test_wrong_codes_are_throttled_per_address_and_number(client: Client, api_key: str, citizen: User) -> None:
    number, code = submitted(client, api_key)
    for _attempt in range(10):
        assert detail(client, number, query_code=WRONG_CODE).status_code == 404
    refused = detail(client, number, query_code=code)  # even the right code, until the hour is over
    assert refused.status_code == 429
    assert errors(refused) == [(429, "该编号查询失败次数过多，请稍后再试。")]
    query = {"service_request_id": number, "query_code": code}
    listed = client.get(f"{ROOT}/requests.json", query, REMOTE_ADDR="192.0.2.1")
    assert listed.status_code == 429
    assert detail(client, number, query_code=code, address="198.51.100.7").status_code == 200


def test_the_id_filter_follows_the_same_rule(client: Client, api_key: str, citizen: User) -> None:
    number, code = submitted(client, api_key)

    def listed(**query: str) -> list[str]:
        response = client.get(f"{ROOT}/requests.json", query)
        assert response.status_code == 200, response.content
        return [item["service_request_id"] for item in response.json()]

    assert listed(service_request_id=number) == []
    assert listed(service_request_id=number, query_code=WRONG_CODE) == []
    assert listed(service_request_id=number, query_code=code) == [number]
    both = client.get(f"{ROOT}/requests.json", {"service_request_id": f"{number},GD-1", "query_code": code})
    assert both.status_code == 400
    assert errors(both) == [(400, "query_code 只能与一个 service_request_id 一起使用。")]


def test_the_list_shows_published_letters_only(
    client: Client, api_key: str, citizen: User, open_mailbox: Mailbox, tianhe: Unit
) -> None:
    [publication] = published_letters(open_mailbox, tianhe, ["路灯不亮"])
    number, code = submitted(client, api_key)

    def listed(**query: str) -> list[str]:
        response = client.get(f"{ROOT}/requests.json", query)
        assert response.status_code == 200, response.content
        return [item["service_request_id"] for item in response.json()]

    published = publication.letter.tracking_number
    assert listed() == [published]  # not the letter just received
    assert listed(query_code=code) == [published]  # a code opens one letter by its number, not the list
    assert listed(service_code="gd-inquiry,gd-suggestion") == [published]
    assert listed(service_code="gd-inquiry") == []  # the received inquiry is not published
    assert listed(service_request_id=number) == []
    assert listed(jurisdiction_id="gd") == [published]
    assert listed(jurisdiction_id="no-such-mailbox") == []
    open_mailbox.is_active = False
    open_mailbox.save(update_fields=["is_active"])
    assert listed() == []
    assert detail(client, published).status_code == 404
