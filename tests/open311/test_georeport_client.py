"""Open311 end to end, driven by ``georeport`` (PyPI: a maintained GeoReport v2 client) against the
live server: services, a definition, a published letter's status, the public list. ``georeport`` has
no call for discovery or for ``POST requests`` and cannot add the ``query_code`` parameter; those go
through ``requests`` as such a client would send them, and every answer is checked against the
specification's field names."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from georeport import GeoReport

from tests.api.conftest import published_letters
from tests.open311.conftest import (
    ATTRIBUTE_FIELDS,
    RECEIPT_FIELDS,
    ROOT,
    SERVICE_FIELDS,
    check_request,
    request_form,
    xml_items,
)
from xinfang.accounts.models import User
from xinfang.letters.models import Letter
from xinfang.letters.services.query_codes import query_code_matches
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication.models import PublicationState
from xinfang.vocabulary import Channel

pytestmark = pytest.mark.django_db(transaction=True)


def client(live_server: Any, output_format: str = "json") -> GeoReport:
    return GeoReport(f"{live_server.url}{ROOT}", output_format=output_format)


def test_a_client_reads_discovery_services_and_a_definition(live_server: Any, open_mailbox: Mailbox) -> None:
    discovery = requests.get(f"{live_server.url}{ROOT}/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["url"] == f"{live_server.url}{ROOT}"
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"

    services = client(live_server).get_service_list()
    assert all(set(service) == SERVICE_FIELDS for service in services)
    gd = {s["service_code"]: s for s in services if s["group"] == open_mailbox.name}
    assert set(gd) == {f"gd-{letter_type}" for letter_type in open_mailbox.letter_types}
    assert gd["gd-complaint"]["service_name"] == f"{open_mailbox.name} · 投诉"
    assert (gd["gd-complaint"]["metadata"], gd["gd-complaint"]["type"]) == (True, "realtime")

    as_xml = client(live_server, "xml").get_service_list()
    assert {s["service_code"] for s in as_xml} == {s["service_code"] for s in services}
    assert {s["metadata"] for s in as_xml} == {"true"}

    definition = client(live_server).get_service_definition("gd-complaint")
    assert definition["service_code"] == "gd-complaint"
    assert all(set(a) == ATTRIBUTE_FIELDS for a in definition["attributes"])
    by_code = {a["code"]: a for a in definition["attributes"]}
    assert by_code["id_number"]["required"] is True
    assert {"accused_officer_name", "accused_badge_number", "police_type"} <= set(by_code)
    assert "accused_officer_name" not in {
        a["code"] for a in client(live_server).get_service_definition("gd-inquiry")["attributes"]
    }
    xml_definition = client(live_server, "xml").get_service_definition("gd-complaint")
    assert [a["code"] for a in xml_definition["attributes"]["attribute"]] == list(by_code)


def _submit(live_server: Any, fmt: str, form: dict[str, str]) -> requests.Response:
    return requests.post(f"{live_server.url}{ROOT}/requests.{fmt}", data=form, timeout=10)


def test_a_client_submits_a_letter_and_follows_it(
    live_server: Any, open_mailbox: Mailbox, api_key: str, citizen: User
) -> None:
    response = _submit(live_server, "json", request_form(api_key))
    assert response.status_code == 201
    [receipt] = response.json()
    assert set(receipt) == RECEIPT_FIELDS
    letter = Letter.objects.get(tracking_number=receipt["service_request_id"])
    assert (letter.citizen, letter.channel, letter.letter_type) == (citizen, Channel.PARTNER_API, "inquiry")
    assert letter.text == "请问从外省迁入广州市天河区的户口需要哪些材料？"
    code = re.search(r"查询码 (\S+?)：", receipt["service_notice"])
    assert code is not None and query_code_matches(letter, code[1])

    # Not published: the status only with the query code (``georeport`` cannot send it, so as
    # such a client sends it: one extra query parameter); without it, as if there were no letter.
    detail = f"{live_server.url}{ROOT}/requests/{letter.tracking_number}"
    [status] = requests.get(f"{detail}.json", {"query_code": code[1]}, timeout=10).json()
    check_request(status)
    assert (status["status"], status["status_notes"]) == ("open", "已接收，待受理")
    assert status["service_code"] == "gd-inquiry"
    assert status["agency_responsible"] == letter.intake_unit.name
    assert status["description"] is None  # not published: never the letter's text
    with pytest.raises(requests.HTTPError, match="404"):
        client(live_server).get_service_request(letter.tracking_number)

    xml_status = requests.get(f"{detail}.xml", {"query_code": code[1]}, timeout=10)
    [item] = xml_items(xml_status.content, "service_requests", "request")
    assert (item.findtext("service_request_id"), item.findtext("status")) == (letter.tracking_number, "open")
    assert not item.findtext("description")
    assert "13800138000" not in xml_status.text and "张" not in xml_status.text

    as_xml = _submit(live_server, "xml", request_form(api_key, description="请问办理居住证需要什么材料？"))
    assert as_xml.status_code == 201
    [item] = xml_items(as_xml.content, "service_requests", "request")
    assert {child.tag for child in item} == RECEIPT_FIELDS
    assert Letter.objects.filter(tracking_number=item.findtext("service_request_id"), citizen=citizen).exists()


def test_the_public_list_shows_published_text_only(
    live_server: Any, open_mailbox: Mailbox, api_key: str, citizen: User, tianhe: Unit
) -> None:
    shown, withdrawn = published_letters(open_mailbox, tianhe, ["路灯不亮", "撤下的信"])
    withdrawn.state = PublicationState.UNPUBLISHED
    withdrawn.save(update_fields=["state"])
    _submit(live_server, "json", request_form(api_key))

    listed = client(live_server).get_service_requests(service_code="gd-suggestion,gd-inquiry")
    for item in listed:
        check_request(item)
    assert [item["service_request_id"] for item in listed] == [shown.letter.tracking_number]
    assert listed[0]["description"] == "路灯不亮。"
    assert listed[0]["agency_responsible"] == tianhe.name

    only_suggestions = client(live_server, "xml").get_service_requests(service_code="gd-suggestion")
    assert only_suggestions["service_request_id"] == shown.letter.tracking_number  # one item: not a list

    # A published letter's status is public: the client reads it by its number alone.
    status = client(live_server).get_service_request(shown.letter.tracking_number)
    check_request(status)
    assert (status["status"], status["status_notes"], status["description"]) == ("open", "已答复", "路灯不亮。")
    xml_status = client(live_server, "xml").get_service_request(shown.letter.tracking_number)
    assert (xml_status["service_request_id"], xml_status["agency_responsible"]) == (
        shown.letter.tracking_number,
        tianhe.name,
    )
    with pytest.raises(requests.HTTPError, match="404"):
        client(live_server).get_service_request(withdrawn.letter.tracking_number)
