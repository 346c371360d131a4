"""Open311's services: one per active mailbox and letter type the mailbox takes, and each one's
definition (the attributes a request may carry besides Open311's own fields).

A service code reads ``<mailbox slug>-<letter type>`` (``gd-complaint``): stable as long as the
mailbox's slug is, and readable. Names and descriptions are in the request's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import ACCUSATION_TYPES, LetterType

SERVICE_CODE = re.compile(r"^(?P<slug>[-a-zA-Z0-9_]{1,40})-(?P<letter_type>[a-z]{1,20})$")


@dataclass(frozen=True)
class Service:
    mailbox: Mailbox
    letter_type: str

    @property
    def code(self) -> str:
        return service_code(self.mailbox.slug, self.letter_type)

    @property
    def name(self) -> str:
        return f"{self.mailbox.display_name} · {LetterType(self.letter_type).label}"

    def as_open311(self) -> dict[str, Any]:
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": _type_descriptions()[self.letter_type],
            "metadata": True,
            "type": "realtime",
            "keywords": ", ".join([str(LetterType(self.letter_type).label), _("公安信访"), self.mailbox.display_name]),
            "group": self.mailbox.display_name,
        }


def service_code(slug: str, letter_type: str) -> str:
    return f"{slug}-{letter_type}"


def _type_descriptions() -> dict[str, str]:
    return {
        LetterType.COMPLAINT: _("投诉：反映公安机关或民警违法违纪、不作为、乱作为等问题。"),
        LetterType.REPORT: _("举报：检举违法犯罪线索或民警违法违纪问题。"),
        LetterType.INQUIRY: _("咨询：询问公安业务的办理条件、材料和程序。"),
        LetterType.SUGGESTION: _("意见建议：对公安工作提出意见和建议。"),
        LetterType.REQUEST: _("求决：请求公安机关解决本人的具体问题。"),
        LetterType.PRAISE: _("表扬：表扬民警或公安单位。"),
    }


def services(jurisdiction: str = "") -> list[Service]:
    """Every active mailbox's services (one mailbox's when ``jurisdiction`` names its slug), in the
    mailboxes' order and the letter types' order."""
    mailboxes = Mailbox.objects.filter(is_active=True)
    if jurisdiction:
        mailboxes = mailboxes.filter(slug=jurisdiction)
    return [Service(mailbox, t) for mailbox in mailboxes for t in LetterType.values if mailbox.takes(t)]


def service_for(code: str) -> Service | None:
    """The service ``code`` names, if its mailbox is active and takes its letter type."""
    match = SERVICE_CODE.fullmatch(code.strip())
    if match is None or match["letter_type"] not in LetterType.values:
        return None
    mailbox = Mailbox.objects.filter(slug=match["slug"], is_active=True).select_related("owner").first()
    if mailbox is None or not mailbox.takes(match["letter_type"]):
        return None
    return Service(mailbox, match["letter_type"])


def _yes_no() -> list[dict[str, str]]:
    return [{"key": "true", "name": _("是")}, {"key": "false", "name": _("否")}]


def _attribute(
    code: str, datatype: str, description: str, *, required: bool = False, values: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": "",
        "order": 0,  # numbered in ``definition``
        "description": description,
        "values": values or [],
    }


def definition(service: Service) -> dict[str, Any]:
    """The service definition: the writer's ID number (online letters are real-name), the letter's
    own fields the portal's form takes and, for complaints and reports, the accused officer."""
    attributes = [
        _attribute(
            "id_number",
            "string",
            _("信访人的居民身份证号码。网上信访须实名：与 phone 一起核对已实名认证的账户。"),
            required=True,
        ),
        _attribute("subject", "string", _("标题；不填时取描述的开头。")),
        _attribute("division_code", "string", _("事发地的行政区划代码（6 位，如 440106）。")),
        _attribute(
            "police_type",
            "singlevaluelist",
            _("涉及的警种。"),
            values=[{"key": value, "name": str(label)} for value, label in PoliceType.choices],
        ),
    ]
    if service.letter_type in ACCUSATION_TYPES:
        attributes += [
            _attribute("accused_officer_name", "string", _("被反映民警的姓名。")),
            _attribute("accused_badge_number", "string", _("被反映民警的警号。")),
            _attribute("accused_officer_post", "string", _("被反映民警的职务。")),
            _attribute("accuses_leadership", "singlevaluelist", _("是否反映单位领导。"), values=_yes_no()),
        ]
    attributes += [
        _attribute("consent_to_publish", "singlevaluelist", _("答复后是否同意隐去个人信息后公开。"), values=_yes_no()),
        _attribute(
            "not_emergency",
            "singlevaluelist",
            _("确认所写的不是正在发生的紧急情况（紧急情况请立即拨打 110）。"),
            values=_yes_no(),
        ),
    ]
    for order, attribute in enumerate(attributes, start=1):
        attribute["order"] = order
    return {"service_code": service.code, "attributes": attributes}
