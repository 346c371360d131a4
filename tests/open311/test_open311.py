"""Open311's refusals, languages, filters and formats, through Django's test client (the
client-library journey is test_georeport_client.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone

from tests.api.conftest import issue, published_letters
from tests.open311.conftest import ROOT, check_request, request_form, xml_items
from xinfang.accounts.models import User
from xinfang.api.models import PartnerToken, Scope
from xinfang.audit.models import AuditEntry
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db


def post(client: Client, form: dict[str, str], fmt: str = "json", **headers: str) -> Any:
    return client.post(f"{ROOT}/requests.{fmt}", form, headers=headers)


def errors(response: Any) -> list[tuple[int, str]]:
    return [(error["code"], error["description"]) for error in response.json()]


def test_a_bad_api_key_is_refused_in_open311_error_format(client: Client, open_mailbox: Mailbox, citizen: User) -> None:
    for key in ("", "xf_00000000_wrong", "not-a-key"):
        response = post(client, request_form(key))
        assert response.status_code == 401
        assert errors(response) == [(401, "令牌无效、已过期或已吊销。")]
    as_xml = post(client, request_form("xf_00000000_wrong"), "xml", **{"Accept-Language": "en"})
    [error] = xml_items(as_xml.content, "errors", "error")
    assert [child.tag for child in error] == ["code", "description"]
    assert error.findtext("code") == "401"
    assert error.findtext("description") == "The token is not valid, has expired or has been revoked."
    assert not Letter.objects.exists()


def test_a_token_without_the_submit_scope_is_refused_and_audited(
    client: Client, open_mailbox: Mailbox, citizen: User
) -> None:
    _, key = issue(open_mailbox, name="只读渠道", scopes=[Scope.LETTERS_STATUS])
    response = post(client, request_form(key))
    assert response.status_code == 403
    assert errors(response) == [(403, "该令牌没有此项权限：letters:submit。")]
    entry = AuditEntry.objects.filter(kind="api_call").latest("pk")
    assert entry.data == {"token": "只读渠道", "operation": "open311_requests", "method": "POST", "status": 403}
    assert not Letter.objects.exists()


def test_it_validates_ownership(client: Client, open_mailbox: Mailbox, citizen: User, shenzhen: Unit) -> None:
    """A token of another bureau's mailbox cannot write into this one."""
    other_box = Mailbox.objects.filter(owner=shenzhen).first()
    assert other_box is not None
    _, outsider_key = issue(other_box, scopes=[Scope.LETTERS_SUBMIT])
    response = post(client, request_form(outsider_key))
    assert response.status_code == 403
    assert errors(response) == [(403, "该令牌不能使用这个信箱。")]
    assert not Letter.objects.exists()


def test_a_submission_is_audited_with_the_token_name(
    client: Client, api_key: str, token_key: tuple[PartnerToken, str], citizen: User
) -> None:
    response = post(client, request_form(api_key))
    assert response.status_code == 201
    entry = AuditEntry.objects.filter(kind="api_call").latest("pk")
    assert entry.data["token"] == token_key[0].name
    assert entry.data["status"] == 201


def test_emergency_text_is_refused_with_call_110(client: Client, api_key: str, citizen: User) -> None:
    emergency = "他现在拿着刀在楼下砍人，快来！"
    response = post(client, request_form(api_key, description=emergency))
    assert response.status_code == 400
    [(code, description)] = errors(response)
    assert code == 400
    assert description.startswith("如果危险正在发生，请立即拨打 110。本信箱不受理报警求助。")
    english = post(client, request_form(api_key, description=emergency, locale="en"))
    assert "call 110" in english.json()[0]["description"]
    assert not Letter.objects.exists()


def test_an_anonymous_or_unverified_writer_is_refused(client: Client, api_key: str, citizen: User) -> None:
    anonymous = request_form(api_key, phone="")
    del anonymous["attribute[id_number]"]
    wrong_id = request_form(api_key, **{"attribute[id_number]": "440106199001011234"})
    for form in (anonymous, wrong_id):
        response = post(client, form)
        assert response.status_code == 400
        assert errors(response) == [(400, "网上信访须实名：phone 和 id_number 须与一个已实名认证的账户相符。")]
    assert not Letter.objects.exists()


def test_an_unknown_service_or_a_missing_description_is_refused(client: Client, api_key: str, citizen: User) -> None:
    assert errors(post(client, request_form(api_key, service_code="gd-nonsense"))) == [
        (400, "没有这个服务代码：gd-nonsense。")
    ]
    assert errors(post(client, request_form(api_key, description=" "))) == [(400, "description: 这个字段是必填项。")]
    too_long = request_form(api_key, description="很" * 5001, **{"attribute[accused_badge_number]": "1" * 21})
    assert [code for code, _ in errors(post(client, too_long))] == [400, 400]
    assert client.get(f"{ROOT}/services/gd-nonsense.json").status_code == 404
    assert not Letter.objects.exists()


def test_a_complaint_carries_the_accused_officer(client: Client, api_key: str, citizen: User, tianhe: Unit) -> None:
    form = request_form(
        api_key,
        service_code="gd-complaint",
        description="天河区某派出所民警办理户口时态度恶劣。",
        **{
            "attribute[accused_officer_name]": "李四",
            "attribute[accused_badge_number]": "012345",
            "attribute[consent_to_publish]": "true",
        },
    )
    response = post(client, form)
    assert response.status_code == 201
    letter = Letter.objects.get(tracking_number=response.json()[0]["service_request_id"])
    assert (letter.letter_type, letter.accused_officer_name, letter.accused_badge_number) == (
        "complaint",
        "李四",
        "012345",
    )
    assert letter.consent_to_publish and letter.accused_unit is not None
    assert letter.subject == "天河区某派出所民警办理户口时态度恶劣。"


def test_services_and_errors_follow_the_request_language(client: Client, open_mailbox: Mailbox) -> None:
    english = client.get(f"{ROOT}/services.json", {"jurisdiction_id": "gd"}, headers={"Accept-Language": "en"}).json()
    assert english[0]["service_name"].startswith(open_mailbox.name_en)
    assert english[0]["group"] == open_mailbox.name_en
    chinese = client.get(f"{ROOT}/services.json", {"jurisdiction_id": "gd", "locale": "zh_CN"}).json()
    assert [s["service_code"] for s in chinese] == [s["service_code"] for s in english]
    assert chinese[0]["group"] == open_mailbox.name
    missing = client.get(f"{ROOT}/requests/GD-NONE.json", {"locale": "en"})
    assert missing.status_code == 404
    assert errors(missing) == [
        (404, "No letter with this tracking number can be shown: a letter that is not published needs its correct"
              " query code (query_code).")
    ]  # fmt: skip


def test_every_document_is_well_formed_xml_with_the_specification_names(
    client: Client, open_mailbox: Mailbox, tianhe: Unit
) -> None:
    published_letters(open_mailbox, tianhe, ["路灯不亮"])
    tree = ElementTree.fromstring(client.get(f"{ROOT}/discovery.xml").content)
    assert [child.tag for child in tree] == ["changeset", "contact", "key_service", "endpoints"]
    assert [f.text for f in tree.iter("format")] == ["application/json", "text/xml"]
    services = xml_items(client.get(f"{ROOT}/services.xml", {"jurisdiction_id": "gd"}).content, "services", "service")
    assert [child.tag for child in services[0]] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
    ]  # fmt: skip
    definition = ElementTree.fromstring(client.get(f"{ROOT}/services/gd-report.xml").content)
    assert definition.tag == "service_definition"
    police = next(a for a in definition.iter("attribute") if a.findtext("code") == "police_type")
    assert police.findtext("datatype") == "singlevaluelist"
    assert all({c.tag for c in value} == {"key", "name"} for value in police.iter("value"))
    [request] = xml_items(client.get(f"{ROOT}/requests.xml").content, "service_requests", "request")
    check_request({child.tag: child.text or "2026-01-01T00:00:00+08:00" for child in request})
    assert request.findtext("description") == "路灯不亮。"


def test_the_public_list_filters_and_limits(client: Client, open_mailbox: Mailbox, tianhe: Unit) -> None:
    shown, other = published_letters(open_mailbox, tianhe, ["路灯不亮", "噪音扰民"])
    Letter.objects.filter(pk=other.letter.pk).update(state="closed")

    def ids(**query: str) -> list[str]:
        response = client.get(f"{ROOT}/requests.json", query)
        assert response.status_code == 200, response.content
        return [item["service_request_id"] for item in response.json()]

    both = sorted([shown.letter.tracking_number, other.letter.tracking_number])
    assert sorted(ids()) == both
    assert ids(status="closed") == [other.letter.tracking_number]
    assert ids(status="open") == [shown.letter.tracking_number]
    assert ids(service_code="gd-complaint") == []
    assert sorted(ids(service_request_id=",".join(both))) == both
    assert len(ids(page_size="1")) == 1
    week_ago = (timezone.now() - dt.timedelta(days=7)).isoformat()
    assert ids(start_date=week_ago) == []  # received 20 days ago
    long_ago = (timezone.now() - dt.timedelta(days=200)).isoformat()
    for query in ({"start_date": long_ago, "end_date": timezone.now().isoformat()}, {"page_size": "500"},
                  {"status": "pending"}, {"start_date": "yesterday"}):  # fmt: skip
        response = client.get(f"{ROOT}/requests.json", query)
        assert response.status_code == 400
        assert response.json()[0]["code"] == 400


def test_the_public_never_sees_the_writer_or_the_letter(client: Client, api_key: str, citizen: User) -> None:
    receipt = post(client, request_form(api_key)).json()[0]
    code = receipt["service_notice"].split("查询码 ")[1].split("：")[0]
    body = client.get(f"{ROOT}/requests/{receipt['service_request_id']}.json", {"query_code": code}).content.decode()
    item = json.loads(body)[0]
    check_request(item)
    for secret in ("13800138000", "11010519491231002X", "张", "户口", "体育西路", "440106"):
        assert secret not in body
    assert item["expected_datetime"] is not None


def test_a_mailbox_that_has_not_opened_the_partner_channel_refuses(
    client: Client, gd_mailbox: Mailbox, citizen: User
) -> None:
    _, key = issue(gd_mailbox, scopes=[Scope.LETTERS_SUBMIT])
    response = post(client, request_form(key), **{"Accept-Language": "en"})
    assert response.status_code == 400
    assert errors(response) == [(400, "This mailbox does not take letters through this channel.")]
    assert not Letter.objects.exists()
