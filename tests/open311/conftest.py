"""Open311's cast: the Guangdong mailbox open to partner channels, a partner token for it, the
verified citizen who writes, and GeoReport v2's element names, checked strictly."""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml import ElementTree

from tests.api.conftest import issue
from xinfang.api.models import PartnerToken, Scope
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE_FIELDS = {
    "variable", "code", "datatype", "required", "datatype_description", "order", "description", "values",
}  # fmt: skip
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
RECEIPT_FIELDS = {"service_request_id", "service_notice", "account_id"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
ROOT = "/open311/v2"


@pytest.fixture
def open_mailbox(gd_mailbox: Mailbox) -> Mailbox:
    """The Guangdong mailbox as an administrator opens it to partner channels."""
    gd_mailbox.channels = [*gd_mailbox.channels, Channel.PARTNER_API]
    gd_mailbox.save(update_fields=["channels"])
    return gd_mailbox


@pytest.fixture
def token_key(open_mailbox: Mailbox) -> tuple[PartnerToken, str]:
    return issue(open_mailbox, name="广州街坊 Open311 应用", scopes=[Scope.LETTERS_SUBMIT])


@pytest.fixture
def api_key(token_key: tuple[PartnerToken, str]) -> str:
    return token_key[1]


def request_form(api_key: str, **overrides: str) -> dict[str, str]:
    """A writer's request as an Open311 client posts it (form-encoded), for the verified citizen."""
    form = {
        "api_key": api_key,
        "service_code": "gd-inquiry",
        "description": "请问从外省迁入广州市天河区的户口需要哪些材料？",
        "address_string": "广州市天河区体育西路1号",
        "phone": "13800138000",
        "first_name": "三",
        "last_name": "张",
        "attribute[id_number]": "11010519491231002X",
        "attribute[division_code]": "440106",
    }
    form.update(overrides)
    return form


def xml_items(body: bytes, root: str, item: str) -> list[Any]:
    """The items of a well-formed GeoReport XML list (``<root><item>…``), nothing else under the root."""
    tree = ElementTree.fromstring(body)
    assert tree.tag == root
    assert all(child.tag == item for child in tree)
    return list(tree)


def check_request(item: dict[str, Any]) -> None:
    """A GeoReport v2 request: exactly the specification's fields, a known status, W3C datetimes."""
    assert set(item) == REQUEST_FIELDS
    assert item["status"] in ("open", "closed")
    assert item["requested_datetime"][:2] == "20" and item["requested_datetime"][-6] in "+-"
