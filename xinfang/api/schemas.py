"""The API's input and output schemas (explicit, one per action; STYLE habit 8)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from xinfang.letters.services import MESSAGE_MAX_LENGTH
from xinfang.orgs.choices import PoliceType
from xinfang.vocabulary import LetterType

SUBJECT_MAX = 200
TEXT_MAX = 5000
PHONE = r"^\+?[0-9][0-9 \-]{6,19}$"


class In(Schema):
    """An input: no text may hold a NUL character (no database column can store one)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(_("不能包含空字符（NUL）。"))
        return value


class CitizenRef(In):
    """A citizen with a verified account: both the mobile number and the ID number must match it."""

    phone: str = Field(pattern=PHONE, description="The mobile number of the citizen's account.")
    id_number: str = Field(min_length=15, max_length=25, description="The resident ID number of that account.")


class AnonymousCallerRef(In):
    """A caller who gives no name, registered by the seat who took the call."""

    phone: str = Field(pattern=PHONE, description="The number the call came from.")
    seat: str = Field(min_length=1, max_length=150, description="The user name of the seat agent who took the call.")


class LetterIn(In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mailbox": "gd",
                    "letter_type": "inquiry",
                    "subject": "户口迁移咨询",
                    "text": "请问从外省迁入广州市天河区的户口需要哪些材料？",
                    "division_code": "440106",
                    "citizen": {"phone": "13800138000", "id_number": "11010519491231002X"},
                }
            ]
        }
    )

    mailbox: str = Field(min_length=1, max_length=40, description="The mailbox's slug (one of the token's).")
    letter_type: LetterType
    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    division_code: str = Field("", pattern=r"^([0-9]{6,12})?$", description="Where it happened (division code).")
    address: str = Field("", max_length=300)
    police_type: PoliceType | None = None
    accused_officer_name: str = Field("", max_length=60)
    accused_badge_number: str = Field("", max_length=20)
    accused_officer_post: str = Field("", max_length=60)
    accuses_leadership: bool = False
    consent_to_publish: bool = False
    not_emergency: bool = Field(
        False,
        description="The writer confirmed that this is not an emergency happening now (see the error 'emergency').",
    )
    citizen: CitizenRef | None = Field(None, description="Give exactly one of citizen and anonymous_caller.")
    anonymous_caller: AnonymousCallerRef | None = None


class SubmittedOut(Schema):
    tracking_number: str
    query_code: str = Field(description="Shown this once: the writer needs it with the tracking number.")
    mailbox: str
    state: str
    received_at: dt.datetime


class LookupIn(In):
    """A letter, as its writer finds it: tracking number and query code (never in a URL)."""

    tracking_number: str = Field(min_length=1, max_length=40)
    query_code: str = Field(min_length=1, max_length=40)


class TimelineEntryOut(Schema):
    at: dt.datetime
    label: str
    detail: str


class AnswerOut(Schema):
    kind: str = Field(description="notice, reply, review_answer or reexam_answer")
    label: str
    text: str
    at: dt.datetime | None


class StatusOut(Schema):
    tracking_number: str
    mailbox: str
    subject: str
    letter_type: str
    state: str
    state_label: str
    received_at: dt.datetime
    timeline: list[TimelineEntryOut]
    answers: list[AnswerOut]


class MessageOut(Schema):
    at: dt.datetime
    direction: str = Field(description="from_citizen or to_citizen")
    text: str


class ConversationOut(Schema):
    tracking_number: str
    state: str
    messages: list[MessageOut]
    answers: list[AnswerOut]


class MessageIn(LookupIn):
    text: str = Field(min_length=1, max_length=MESSAGE_MAX_LENGTH)


class ScreenPopIn(In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"number": "+86 138-0013-8000", "seat": "seat"}]})

    number: str = Field(pattern=PHONE, description="The calling number, as the telephony system has it.")
    seat: str = Field(min_length=1, max_length=150, description="The user name of the seat whose telephone rings.")


class CallerOut(Schema):
    masked_name: str
    masked_phone: str


class CallerLetterOut(Schema):
    tracking_number: str
    public_id: uuid.UUID
    mailbox: str
    subject: str
    state: str
    state_label: str
    received_at: dt.datetime
    handling_unit: str


class ScreenPopOut(Schema):
    caller: CallerOut | None = Field(description="The caller's account, masked, if the seat may know it.")
    letters: list[CallerLetterOut]
    console_url: str = Field(description="The seat's call page; the number is posted there, never put in a URL.")


class PublicationOut(Schema):
    public_id: uuid.UUID
    title: str
    letter_type: str
    published_at: dt.datetime | None
    replying_unit: str


class PublicationDetailOut(PublicationOut):
    text: str
    reply: str
