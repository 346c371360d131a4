"""The partner API, version 1 (``/api/v1/``): one operation per action, each calling the same
services as the pages (STYLE habit 8).

- submit a letter for a verified citizen (``letters.services.letter_submit``, the citizen as writer)
  or for an anonymous caller, registered by the seat who took the call (``pages.callers.call_register``);
  text that reads like an emergency is stopped with the portal's "call 110" (``analysis.emergency``);
- a letter's status and timeline, its conversation and answers, found by tracking number and
  query code in the body (``pages.writer_view``), and the writer's message (``message_post``);
- the telephony screen-pop for a seat (``pages.callers.caller_look_up``: limited, scoped, audited);
- a mailbox's published letters (``publication.selectors``).

Every POST takes an ``Idempotency-Key`` (``idempotency.answer_once``); every failure has the one
error shape (``errors.py``); docs/api.md is the partner's guide.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from ninja.openapi.docs import Swagger
from ninja.params import functions as param
from pydantic import Field

from xinfang.accounts.models import Role, User
from xinfang.accounts.selectors import citizen_identity, mask_name, mask_phone
from xinfang.analysis.emergency import emergency_words
from xinfang.api import errors
from xinfang.api.auth import PartnerAPI, TokenAuth, calling_token
from xinfang.api.errors import ApiError, ErrorOut, from_domain
from xinfang.api.idempotency import KEY_PATTERN, Answer, answer_once
from xinfang.api.models import PartnerToken, Scope
from xinfang.api.schemas import (
    AnswerOut,
    CallerLetterOut,
    CallerOut,
    ConversationOut,
    LetterIn,
    LookupIn,
    MessageIn,
    MessageOut,
    PublicationDetailOut,
    PublicationOut,
    ScreenPopIn,
    ScreenPopOut,
    StatusOut,
    SubmittedOut,
    TimelineEntryOut,
)
from xinfang.errors import Refused
from xinfang.letters.models import Letter, Message
from xinfang.letters.services import letter_submit, message_post
from xinfang.orgs.models import Mailbox, Unit
from xinfang.pages.callers import call_register, caller_look_up, normalise_phone
from xinfang.pages.citizens import verified_citizen
from xinfang.pages.refusals import emergency_answer
from xinfang.pages.writer_view import (
    citizen_messages,
    citizen_timeline,
    letter_by_lookup,
    wrong_code_counted,
    wrong_codes_exhausted,
)
from xinfang.publication.models import Publication
from xinfang.publication.selectors import published, published_one
from xinfang.vocabulary import Channel

api = PartnerAPI(
    title="xinfang partner API",
    version="1",
    description="Letters, their status and conversation, the telephony screen-pop and published letters "
    "for partner channels. Guide: docs/api.md.",
    urls_namespace="api_v1",
    docs=Swagger(),
)
errors.install(api)

FAILURES: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
POST_FAILURES: dict[int, type[Schema]] = {**FAILURES, 400: ErrorOut, 409: ErrorOut}  # 400: not JSON
IDEMPOTENCY_KEY = param.Header(
    ..., alias="Idempotency-Key", pattern=KEY_PATTERN,
    description="Unique per request: a retry with the same key and body gets the first answer back.",
)  # fmt: skip
MAILBOX_SLUG = param.Path(..., pattern=r"^[-a-zA-Z0-9_]{1,40}$", description="The mailbox's slug.")


def _domain(work: Callable[[], Answer]) -> Callable[[], Answer]:
    """``work`` with the domain's refusals turned into the API's (so that they are stored as answers)."""

    def run() -> Answer:
        try:
            return work()
        except (Refused, DjangoValidationError) as exc:
            raise from_domain(exc) from exc

    return run


def _once(request: HttpRequest, key: str, operation: str, payload: Schema, work: Callable[[], Answer]) -> Status[Any]:
    status, body = answer_once(
        token=calling_token(request), key=key, operation=operation, payload=payload.model_dump(mode="json"),
        work=_domain(work),
    )  # fmt: skip
    return Status(status, body)


# ---------------------------------------------------------------- submitting a letter


# The submitted letter's tracking number and query code lead on to the writer's operations (OpenAPI
# links: what a partner does next, and what schemathesis's stateful tests follow).
_LOOKUP_FROM_RECEIPT = {
    "tracking_number": "$response.body#/tracking_number",
    "query_code": "$response.body#/query_code",
}
_NEXT_AFTER_SUBMIT = {
    name: {"operationId": name, "requestBody": _LOOKUP_FROM_RECEIPT}
    for name in ("letterStatus", "letterConversation", "letterMessage")
}


@api.post(
    "/letters",
    auth=TokenAuth(Scope.LETTERS_SUBMIT),
    response={201: SubmittedOut, **POST_FAILURES},
    url_name="letters",
    operation_id="submitLetter",
    openapi_extra={"responses": {201: {"links": _NEXT_AFTER_SUBMIT}}},
)
def submit_letter(request: HttpRequest, payload: LetterIn, idempotency_key: str = IDEMPOTENCY_KEY) -> Status[Any]:
    """Submit a letter for a verified citizen, or for an anonymous caller where the mailbox allows it."""
    token = calling_token(request)
    return _once(request, idempotency_key, "letters", payload, lambda: _submit(token, payload))


def _submit(token: PartnerToken, payload: LetterIn) -> Answer:
    mailbox = _token_mailbox(token, payload.mailbox)
    words = emergency_words(f"{payload.subject}\n{payload.text}")
    if words and not payload.not_emergency:
        message, noticed = emergency_answer(words)
        raise ApiError(422, "emergency", message, {"text": [noticed]})
    if (payload.citizen is None) == (payload.anonymous_caller is None):
        message = _("请填写且只填写 citizen 和 anonymous_caller 之一。")
        raise ApiError(422, "invalid", message, {"citizen": [message], "anonymous_caller": [message]})
    if payload.division_code and not Unit.objects.filter(division_code=payload.division_code).exists():
        raise ApiError(
            422, "invalid", _("请求内容有误，请按字段说明修改。"), {"division_code": [_("没有这个行政区划代码。")]}
        )
    fields: dict[str, Any] = {
        "letter_type": payload.letter_type,
        "subject": payload.subject,
        "text": payload.text,
        "division_code": payload.division_code,
        "address": payload.address,
        "police_type": payload.police_type or "",
        "accused_officer_name": payload.accused_officer_name,
        "accused_badge_number": payload.accused_badge_number,
        "accused_officer_post": payload.accused_officer_post,
        "accuses_leadership": payload.accuses_leadership,
        "consent_to_publish": payload.consent_to_publish,
    }
    if payload.citizen is not None:
        writer = _verified_citizen(payload.citizen.phone, payload.citizen.id_number)
        submission = letter_submit(mailbox=mailbox, actor=writer, channel=Channel.PARTNER_API, **fields)
    else:
        assert payload.anonymous_caller is not None
        seat = _seat(token, payload.anonymous_caller.seat)
        number = normalise_phone(payload.anonymous_caller.phone)
        fields["channel"] = Channel.TELEPHONE
        submission = call_register(actor=seat, mailbox=mailbox, fields=fields, anonymous_phone=number)
    letter = submission.letter
    body = SubmittedOut(
        tracking_number=letter.tracking_number, query_code=submission.query_code, mailbox=mailbox.slug,
        state=letter.state, received_at=letter.received_at,
    )  # fmt: skip
    return 201, body.model_dump(mode="json")


def _token_mailbox(token: PartnerToken, slug: str) -> Mailbox:
    for mailbox in token.mailboxes():
        if mailbox.slug == slug:
            return mailbox
    raise ApiError(422, "unknown_mailbox", _("该令牌不能使用这个信箱。"), {"mailbox": [_("该令牌不能使用这个信箱。")]})


def _verified_citizen(phone: str, id_number: str) -> User:
    """The active citizen account on ``phone`` whose verified identity has ``id_number``."""
    citizen = verified_citizen(phone, id_number)
    if citizen is None:
        message = _("没有与该手机号码和身份证号码相符的实名账户。")
        raise ApiError(422, "citizen_not_found", message, {"citizen": [message]})
    return citizen


def _seat(token: PartnerToken, username: str) -> User:
    """The active seat agent ``username`` of the token's bureau."""
    seat = User.objects.select_related("unit").filter(username=username, kind=User.Kind.STAFF, is_active=True).first()
    if seat is None or seat.unit is None or seat.unit.bureau != token.bureau or not seat.has_role(Role.SEAT_AGENT):
        message = _("该令牌所属单位没有这个话务坐席。")
        raise ApiError(422, "unknown_seat", message, {"seat": [message]})
    return seat


# ---------------------------------------------------------------- a letter, as its writer finds it


def _lookup_answer(
    request: HttpRequest, key: str, operation: str, payload: LookupIn, answer: Callable[[Letter], Answer]
) -> Status[Any]:
    """The answer about the letter of the token's mailboxes with this tracking number and query code
    (404 when there is none).

    Wrong codes for one tracking number are counted per token, outside the answer's transaction:
    after ``writer_view.PARTNER_WRONG_CODES`` in an hour the number is refused (429) before any look-up."""
    token = calling_token(request)
    pair = f"{token.pk} {''.join(payload.tracking_number.split()).upper()}"
    if wrong_codes_exhausted("api-lookup-pair", pair):
        raise ApiError(429, "rate_limited", _("该编号查询失败次数过多，请稍后再试。"))

    def work() -> Answer:
        letter = letter_by_lookup(payload.tracking_number, payload.query_code)
        if letter is None or letter.mailbox_id not in {m.pk for m in token.mailboxes()}:
            raise ApiError(404, "not_found", _("信件编号或查询码不正确。"))
        return answer(letter)

    found = _once(request, key, operation, payload, work)
    if found.status_code == 404:
        wrong_code_counted("api-lookup-pair", pair)
    return found


def _answers(letter: Letter) -> list[AnswerOut]:
    """The written answers the writer reads on the portal (notice, reply, review, re-examination)."""
    answers = []
    if letter.notice_text:
        answers.append(AnswerOut(kind="notice", label=_("书面告知"), text=letter.notice_text, at=None))
    if letter.reply_text and letter.replied_at:
        answers.append(AnswerOut(kind="reply", label=_("答复意见"), text=letter.reply_text, at=letter.replied_at))
    if letter.review_answer:
        answer = AnswerOut(
            kind="review_answer", label=_("复查意见"), text=letter.review_answer, at=letter.review_answered_at
        )
        answers.append(answer)
    if letter.reexam_answer:
        answers.append(
            AnswerOut(kind="reexam_answer", label=_("复核意见（最终结论）"), text=letter.reexam_answer, at=None)
        )
    return answers


@api.post(
    "/letters/status",
    auth=TokenAuth(Scope.LETTERS_STATUS),
    response={200: StatusOut, **POST_FAILURES},
    url_name="letter_status",
    operation_id="letterStatus",
)
def letter_status(request: HttpRequest, payload: LookupIn, idempotency_key: str = IDEMPOTENCY_KEY) -> Status[Any]:
    """A letter's state and the steps of its timeline its writer may see, with the written answers."""

    def answer(letter: Letter) -> Answer:
        body = StatusOut(
            tracking_number=letter.tracking_number, mailbox=letter.mailbox.slug, subject=letter.subject,
            letter_type=letter.letter_type, state=letter.state, state_label=letter.get_state_display(),
            received_at=letter.received_at,
            timeline=[TimelineEntryOut(at=e.at, label=e.label, detail=e.detail) for e in citizen_timeline(letter)],
            answers=_answers(letter),
        )  # fmt: skip
        return 200, body.model_dump(mode="json")

    return _lookup_answer(request, idempotency_key, "letter_status", payload, answer)


def _message_out(message: Message) -> MessageOut:
    return MessageOut(at=message.created_at, direction=message.kind, text=message.text)


@api.post(
    "/letters/conversation",
    auth=TokenAuth(Scope.LETTERS_READ_OWN),
    response={200: ConversationOut, **POST_FAILURES},
    url_name="letter_conversation",
    operation_id="letterConversation",
)
def letter_conversation(request: HttpRequest, payload: LookupIn, idempotency_key: str = IDEMPOTENCY_KEY) -> Status[Any]:
    """The writer's messages and the staff's replies on a letter (never internal notes), and its answers."""

    def answer(letter: Letter) -> Answer:
        body = ConversationOut(
            tracking_number=letter.tracking_number, state=letter.state,
            messages=[_message_out(m) for m in citizen_messages(letter)], answers=_answers(letter),
        )  # fmt: skip
        return 200, body.model_dump(mode="json")

    return _lookup_answer(request, idempotency_key, "letter_conversation", payload, answer)


@api.post(
    "/letters/messages",
    auth=TokenAuth(Scope.MESSAGES_WRITE),
    response={201: MessageOut, **POST_FAILURES},
    url_name="letter_message",
    operation_id="letterMessage",
)
def letter_message(request: HttpRequest, payload: MessageIn, idempotency_key: str = IDEMPOTENCY_KEY) -> Status[Any]:
    """The writer's message to the handler on an open letter written with an account."""

    def answer(letter: Letter) -> Answer:
        if letter.citizen is None:
            raise ApiError(422, "refused", _("匿名来电登记的信件不能在线留言。"))
        message = message_post(letter=letter, actor=letter.citizen, kind=Message.Kind.FROM_CITIZEN, text=payload.text)
        return 201, _message_out(message).model_dump(mode="json")

    return _lookup_answer(request, idempotency_key, "letter_message", payload, answer)


# ---------------------------------------------------------------- telephony


@api.post(
    "/calls/screen-pop",
    auth=TokenAuth(Scope.CALLS_SCREEN_POP),
    response={200: ScreenPopOut, **POST_FAILURES},
    url_name="screen_pop",
    operation_id="screenPop",
)
def screen_pop(request: HttpRequest, payload: ScreenPopIn, idempotency_key: str = IDEMPOTENCY_KEY) -> Status[Any]:
    """What the seat's call page shows for a calling number: the caller (masked) and their earlier
    letters in the seat's jurisdiction. Limited per seat and audited like the page's look-up."""
    token = calling_token(request)

    def work() -> Answer:
        seat = _seat(token, payload.seat)
        found = caller_look_up(actor=seat, number=normalise_phone(payload.number))
        identity = citizen_identity(found.citizen) if found.citizen is not None else None
        caller = None
        if identity is not None:
            caller = CallerOut(masked_name=mask_name(identity.real_name), masked_phone=mask_phone(identity.phone))
        letters = [
            CallerLetterOut(
                tracking_number=letter.tracking_number,
                public_id=letter.public_id,
                mailbox=letter.mailbox.slug,
                subject=letter.subject,
                state=letter.state,
                state_label=letter.get_state_display(),
                received_at=letter.received_at,
                handling_unit=letter.handling_unit.display_name if letter.handling_unit else "",
            )
            for letter in found.letters
        ]
        body = ScreenPopOut(
            caller=caller,
            letters=letters,
            console_url=request.build_absolute_uri(reverse("console:call")),
        )
        return 200, body.model_dump(mode="json")

    return _once(request, idempotency_key, "screen_pop", payload, work)


# ---------------------------------------------------------------- published letters


class Page(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class PublicationPageOut(Schema):
    items: list[PublicationOut]
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page; null on the last page.")


def _public_mailbox(slug: str) -> Mailbox:
    mailbox = Mailbox.objects.filter(slug=slug, is_active=True).first()
    if mailbox is None:
        raise Http404
    return mailbox


def _publication_out(publication: Publication) -> dict[str, Any]:
    return {
        "public_id": publication.public_id,
        "title": publication.title,
        "letter_type": publication.letter.letter_type,
        "published_at": publication.published_at,
        "replying_unit": publication.unit.display_name if publication.unit else "",
    }


@api.get(
    "/publications/{mailbox}",
    auth=TokenAuth(Scope.PUBLICATION_READ),
    response={200: PublicationPageOut, **FAILURES},
    url_name="publications",
    operation_id="listPublications",
)
def publications(request: HttpRequest, page: Query[Page], mailbox: str = MAILBOX_SLUG) -> Status[Any]:
    """A mailbox's published letters, newest first (``limit``/``offset``)."""
    rows = list(published(_public_mailbox(mailbox)).select_related("unit")[page.offset : page.offset + page.limit + 1])
    more = len(rows) > page.limit
    items = [_publication_out(p) for p in rows[: page.limit]]
    next_offset = page.offset + page.limit if more else None
    return Status(200, {"items": items, "limit": page.limit, "offset": page.offset, "next_offset": next_offset})


@api.get(
    "/publications/{mailbox}/{public_id}",
    auth=TokenAuth(Scope.PUBLICATION_READ),
    response={200: PublicationDetailOut, **FAILURES},
    url_name="publication",
    operation_id="getPublication",
)
def publication(request: HttpRequest, public_id: uuid.UUID, mailbox: str = MAILBOX_SLUG) -> Status[Any]:
    """One published letter: its redacted title, text and reply."""
    found = published_one(_public_mailbox(mailbox), str(public_id))
    return Status(200, {**_publication_out(found), "text": found.published_text, "reply": found.published_reply})
