"""Open311's ``POST requests`` as a letter: the fields mapped onto the same intake the portal uses
(``letters.services.letter_submit``, the writer as the actor, channel "partner API").

1. The ``api_key`` is a partner token holding ``letters:submit`` (``api.tokens.authenticate``),
   within its per-minute rate (the same counter as the partner API's), for the service's mailbox.
2. Text that reads like an emergency in progress is refused with the portal's "call 110" answer,
   unless the ``not_emergency`` attribute confirms it is not one (as the portal's checkbox does).
3. Online letters are real-name, as on the portal: ``phone`` and the ``id_number`` attribute must
   name a verified citizen account (``pages.citizens.verified_citizen``). Open311 has no anonymous
   writer here: anonymous reports are taken by telephone, where the mailbox allows them.
4. The answer carries the tracking number as ``service_request_id`` and the query code, shown
   this once, in ``service_notice`` (Open311 has no field for it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xinfang.analysis.emergency import emergency_words
from xinfang.api.models import PartnerToken
from xinfang.errors import Refused
from xinfang.letters.services import letter_submit
from xinfang.open311.catalogue import Service, service_for
from xinfang.open311.formats import Open311Error
from xinfang.open311.forms import RequestForm
from xinfang.orgs.models import Unit
from xinfang.pages.callers import normalise_phone
from xinfang.pages.citizens import verified_citizen
from xinfang.pages.refusals import emergency_answer, refusal_message
from xinfang.vocabulary import ACCUSATION_TYPES, Channel

SUBJECT_FROM_DESCRIPTION = 40  # characters of the description taken as the title when none is given
ACCUSED_ATTRIBUTES = ("accused_officer_name", "accused_badge_number", "accused_officer_post")


@dataclass(frozen=True)
class Receipt:
    tracking_number: str
    query_code: str


def _service(token: PartnerToken, code: str) -> Service:
    service = service_for(code)
    if service is None:
        raise Open311Error(400, _("没有这个服务代码：%(code)s。") % {"code": code[:60]})
    if service.mailbox.pk not in {m.pk for m in token.mailboxes()}:
        raise Open311Error(403, _("该令牌不能使用这个信箱。"))
    return service


def _refuse_emergency(subject: str, text: str, form: RequestForm) -> None:
    words = emergency_words(f"{subject}\n{text}")
    if words and not form.flag("not_emergency"):
        call, noticed = emergency_answer(words)
        raise Open311Error(400, f"{call} {noticed}")


def _address(form: RequestForm) -> str:
    """The address given, or the coordinates as text (the letter has no coordinates of its own)."""
    address = str(form.cleaned_data["address_string"])
    lat, long = form.cleaned_data["lat"], form.cleaned_data["long"]
    if not address and lat is not None and long is not None:
        return f"{lat:.6f}, {long:.6f}"
    return address


def request_submit(*, token: PartnerToken, data: Mapping[str, str]) -> Receipt:
    """Submit the letter an Open311 ``POST requests`` describes, for ``token``'s partner."""
    form = RequestForm(data)
    if not form.is_valid():
        raise Open311Error(400, *form.problems())
    service = _service(token, form.cleaned_data["service_code"])
    text = str(form.cleaned_data["description"])
    subject = form.attribute("subject") or text.splitlines()[0][:SUBJECT_FROM_DESCRIPTION]
    _refuse_emergency(subject, text, form)
    writer = verified_citizen(normalise_phone(form.cleaned_data["phone"]), form.attribute("id_number"))
    if writer is None:
        raise Open311Error(400, _("网上信访须实名：phone 和 id_number 须与一个已实名认证的账户相符。"))
    division_code = form.attribute("division_code")
    if division_code and not Unit.objects.filter(division_code=division_code).exists():
        raise Open311Error(400, _("没有这个行政区划代码。"))
    accusing = service.letter_type in ACCUSATION_TYPES
    officer = {name: form.attribute(name) if accusing else "" for name in ACCUSED_ATTRIBUTES}
    try:
        submission = letter_submit(
            mailbox=service.mailbox,
            actor=writer,
            letter_type=service.letter_type,
            channel=Channel.PARTNER_API,
            subject=subject,
            text=text,
            division_code=division_code,
            address=_address(form),
            police_type=form.attribute("police_type"),
            consent_to_publish=form.flag("consent_to_publish"),
            accuses_leadership=accusing and form.flag("accuses_leadership"),
            accused_officer_name=officer["accused_officer_name"],
            accused_badge_number=officer["accused_badge_number"],
            accused_officer_post=officer["accused_officer_post"],
        )
    except Refused as refused:
        raise Open311Error(400, refusal_message(refused)) from refused
    except ValidationError as invalid:
        raise Open311Error(400, *invalid.messages) from invalid
    return Receipt(submission.letter.tracking_number, submission.query_code)
