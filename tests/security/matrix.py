"""The world of the authorisation matrix: canary letters, a viewer for every role × unit relation, and the
helpers that ask a page what it shows.

The letters are written to the Guangzhou Director's Mailbox by one real-name citizen whose identity is
made of canary values, and accuse the Haizhu District branch (440105) — a county bureau under the same
city, NOT an ancestor of the handling unit (Tianhe, 440106). The Guangzhou bureau's front desk receives
them and transfers three of them to Tianhe:

- ``received``: just received at the Guangzhou front desk;
- ``handling``: transferred to Tianhe and in handling, with a message from and to the citizen, an
  internal note with a file, the citizen's own file, and a supervision order from Guangzhou;
- ``drafted``: reply drafted at Tianhe, waiting for its leader;
- ``review``: replied by Tianhe; the citizen asked Guangzhou (the superior) for a review.

Two more accuse Haizhu without the writer ever saying "this letter accuses police" (issue 13), about a
place in Haizhu, so that routing by place alone would hand them to the accused:

- ``by_fields``: the writer only named an officer (name and badge number) in the form's fields;
- ``by_text``: the writer named nothing in the fields; the text names "海珠区公安分局". The Guangzhou
  front desk confirms the unit the desk proposes from the text.

Both are transferred as routing then proposes (Guangzhou's inspection department) and are in handling there.
"""

from __future__ import annotations

import html
import io
import json
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase
from django.test import Client
from django.utils import timezone
from PIL import Image

from tests.console.conftest import sign_in
from tests.letters.conftest import decide_accused
from tests.notifications.conftest import drain
from xinfang.accounts.models import Role, User
from xinfang.accounts.services import citizen_create, staff_create
from xinfang.analysis.identifying import redact
from xinfang.explanations.models import ExplanationRequest
from xinfang.explanations.services import explanation_request_create
from xinfang.letters import services as s
from xinfang.letters.accusation import propose_accused
from xinfang.letters.attachments import attachment_add
from xinfang.letters.models import Attachment, Letter, LetterState, Message
from xinfang.notifications.models import Notification
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import Channel, LetterType

# ---------------------------------------------------------------- canaries

NAME = "金丝雀甲乙"
MASKED_NAME = "金****"
PHONE = "13900009527"
MASKED_PHONE = "139****9527"
ID_NUMBER = "44010619880808123X"  # GB 11643 check character X
ADDRESS = "金丝雀路七号院三单元"
SUBJECT = "金丝雀标题"
TEXT = "金丝雀正文：派出所民警在户籍窗口索要好处费。"
NOTE = "金丝雀内部备注：已约谈该所所长。"
MESSAGE_FROM = "金丝雀群众留言：请尽快处理。"
MESSAGE_TO = "金丝雀回复群众：已收到，正在调查。"
FILE = "金丝雀证据照片.png"
NOTE_FILE = "金丝雀内部笔录.png"

OTHER_NAME = "张路人"  # the other citizen: a different surname, so the writer's masked name is not theirs

# What each canary is called in reports, and the categories the policy table speaks of.
IDENTITY = {"name": NAME, "phone": PHONE, "id_number": ID_NUMBER, "address": ADDRESS}
CONTENT = {
    "subject": SUBJECT,
    "text": TEXT,
    "note": NOTE,
    "message_from": MESSAGE_FROM,
    "message_to": MESSAGE_TO,
    "file": FILE,
    "note_file": NOTE_FILE,
}
LETTER_KEYS = ("received", "handling", "drafted", "review", "by_fields", "by_text")
ACCUSED_WITHOUT_THE_BOX = ("by_fields", "by_text")
TEXT_NAMING_THE_ACCUSED = TEXT + "涉事的是海珠区公安分局某派出所。"

# ---------------------------------------------------------------- units and viewers

ACCUSED_CODE = "440105"  # Haizhu District branch, Guangzhou: a sibling county of the handling unit
RELATION_UNITS = {
    "same": "440106",  # Tianhe District branch: the handling unit
    "subordinate": "440106-criminal",  # a department of Tianhe (there are no police-station units in the tree)
    "superior_city": "440100",  # Guangzhou bureau: the front desk that received the letters, and the reviewer
    "superior_province": "440000",  # Guangdong department
    "sibling": "440104",  # Yuexiu District branch: another county under the same city
    "accused": ACCUSED_CODE,
    "under_accused": "440105-public_order",  # a department of the accused bureau
}
RELATIONS = tuple(RELATION_UNITS)
ACCUSED_SIDE = frozenset({"accused", "under_accused"})
ROLES = tuple(Role.values)
CITIZEN_VIEWERS = ("writer", "other_citizen")
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Viewer:
    """Who asks: a staff ``role`` at a unit ``relation``, or a citizen, or an anonymous visitor."""

    key: str
    role: str = ""
    relation: str = ""

    @property
    def is_staff(self) -> bool:
        return bool(self.role)

    @property
    def is_citizen(self) -> bool:
        return self.key in CITIZEN_VIEWERS

    @property
    def accused_side(self) -> bool:
        return self.relation in ACCUSED_SIDE


def all_viewers() -> list[Viewer]:
    staff = [Viewer(f"{role}@{relation}", role, relation) for relation in RELATIONS for role in ROLES]
    return [*staff, *(Viewer(key) for key in CITIZEN_VIEWERS), Viewer(ANONYMOUS)]


def _unit(code: str) -> Unit:
    if "-" in code:
        bureau, police_type = code.split("-", 1)
        return department_for(Unit.objects.get(code=bureau), PoliceType(police_type))
    return Unit.objects.get(code=code)


# ---------------------------------------------------------------- the world


@dataclass
class World:
    letters: dict[str, Letter]
    users: dict[str, User]
    clients: dict[str, Client]
    citizen_file: Attachment
    note_file: Attachment
    mailbox: Mailbox
    query_codes: dict[str, str]
    explanation: ExplanationRequest
    notifications: list[Notification] = field(default_factory=list)

    def tracking(self, keys: Iterable[str]) -> set[str]:
        return {self.letters[key].tracking_number for key in keys}


def _png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _staff(password_hash: str) -> dict[str, User]:
    users = {}
    for relation, code in RELATION_UNITS.items():
        unit = _unit(code)
        for role in ROLES:
            key = f"{role}@{relation}"
            user = staff_create(
                username=f"m-{role}-{relation}", password_hash=password_hash, unit=unit, roles=[role], actor=None,
                full_name=key,
            )  # fmt: skip
            if role == Role.ADMINISTRATOR:  # administrators use the Django admin, as the demo's do
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            users[key] = user
    return users


def _citizens() -> dict[str, User]:
    now = timezone.now()
    writer = citizen_create(
        real_name=NAME, id_number=ID_NUMBER, phone=PHONE, password=None, phone_verified_at=now, address=ADDRESS
    )
    other = citizen_create(
        real_name=OTHER_NAME, id_number="440102199202145672", phone="13600001111", password=None,
        phone_verified_at=now, address="越秀区北京路一号",
    )  # fmt: skip
    return {"writer": writer, "other_citizen": other}


def _submit(mailbox: Mailbox, writer: User, key: str, accused: Unit) -> tuple[Letter, str]:
    submission = s.letter_submit(
        mailbox=mailbox, actor=writer, letter_type=LetterType.COMPLAINT, channel=Channel.WEB,
        subject=f"{SUBJECT}·{key}", text=TEXT, division_code="440106", address="天河区体育西路",
        police_type=PoliceType.HOUSEHOLD, accused_unit=accused, accused_officer_name="王某",
    )  # fmt: skip
    return submission.letter, submission.query_code


def _to_tianhe(letter: Letter, users: dict[str, User]) -> None:
    desk, handler = users["acceptor@superior_city"], users["handler@same"]
    s.letter_accept(letter=letter, actor=desk)
    s.letter_set_accused(letter=letter, actor=desk, accused_unit=letter.accused_unit)  # the writer's answer
    decide_accused(letter, desk)
    s.letter_assign(letter=letter, actor=desk, unit=Unit.objects.get(code="440106"), reason="事发地在天河区")
    s.letter_start_handling(letter=letter, actor=handler)


def _accused_without_the_box(mailbox: Mailbox, writer: User, key: str) -> tuple[Letter, str]:
    """About a place in Haizhu; the accusation only in the officer fields, or only in the text."""
    officer = {"accused_officer_name": "王某", "accused_badge_number": "012345"} if key == "by_fields" else {}
    submission = s.letter_submit(
        mailbox=mailbox, actor=writer, letter_type=LetterType.COMPLAINT, channel=Channel.WEB,
        subject=f"{SUBJECT}·{key}", text=TEXT if key == "by_fields" else TEXT_NAMING_THE_ACCUSED,
        division_code=ACCUSED_CODE, address="海珠区江南大道", police_type=PoliceType.HOUSEHOLD, **officer,
    )  # fmt: skip
    return submission.letter, submission.query_code


def _to_the_proposal(letter: Letter, users: dict[str, User]) -> None:
    """The desk confirms the accused unit it proposes (from the fields or the text), then routes as proposed."""
    desk = users["acceptor@superior_city"]
    proposed = propose_accused(letter).unit
    assert proposed is not None and proposed.code == ACCUSED_CODE, proposed
    reason = "" if letter.accused_unit == proposed else "信件内容指明海珠区公安分局"
    s.letter_set_accused(letter=letter, actor=desk, accused_unit=proposed, reason=reason)
    s.letter_accept(letter=letter, actor=desk)
    s.letter_assign(letter=letter, actor=desk, unit=propose_for_letter(letter).unit)
    assert letter.handling_unit is not None and letter.handling_unit.code == "440100-inspection"
    s.letter_start_handling(letter=letter, actor=users["handler@superior_city"])


def _ask_the_accused(letter: Letter, handler: User) -> ExplanationRequest:
    """The handler's extract names the writer in every way; the redaction the form applies must hide it all."""
    draft = f"信访人{NAME}（身份证 {ID_NUMBER}，电话 {PHONE}，住{ADDRESS}）反映：户籍窗口民警索要好处费。"
    return explanation_request_create(
        letter=letter, extract=redact(draft, letter=letter), questions="请说明当日窗口办理情况。",
        due_on=timezone.localdate() + timezone.timedelta(days=10), actor=handler,
    )  # fmt: skip


def build_world() -> World:
    """Every letter through the real services, as the people concerned would do it (see the module docstring)."""
    users = _staff(make_password("matrix-password"))
    citizens = _citizens()
    writer = citizens["writer"]
    mailbox = Mailbox.objects.get(owner__code="440100")
    accused = Unit.objects.get(code=ACCUSED_CODE)
    letters, codes = {}, {}
    for key in LETTER_KEYS:
        if key in ACCUSED_WITHOUT_THE_BOX:
            letters[key], codes[key] = _accused_without_the_box(mailbox, writer, key)
            _to_the_proposal(letters[key], users)
        else:
            letters[key], codes[key] = _submit(mailbox, writer, key, accused)
    for key in ("handling", "drafted", "review"):
        _to_tianhe(letters[key], users)
    handling = letters["handling"]
    citizen_file = attachment_add(letter=handling, upload=_png(FILE), actor=writer)
    s.message_post(letter=handling, actor=writer, kind=Message.Kind.FROM_CITIZEN, text=MESSAGE_FROM)
    s.message_post(letter=handling, actor=users["handler@same"], kind=Message.Kind.TO_CITIZEN, text=MESSAGE_TO)
    note = s.message_post(letter=handling, actor=users["handler@same"], kind=Message.Kind.INTERNAL_NOTE, text=NOTE)
    note_file = attachment_add(letter=handling, upload=_png(NOTE_FILE), actor=users["handler@same"], message=note)
    due = timezone.localdate() + timezone.timedelta(days=10)
    s.supervision_order_issue(letter=handling, actor=users["inspector@superior_city"], text="请加快办理", due=due)
    for key in ("drafted", "review"):
        s.letter_draft_reply(letter=letters[key], actor=users["handler@same"], text="经核查，答复如下。")
    s.letter_approve_reply(letter=letters["review"], actor=users["leader@same"])
    s.letter_request_review(letter=letters["review"], actor=writer, reason="对答复不满意")
    explanation = _ask_the_accused(handling, users["handler@same"])
    drain()
    assert [letters[k].state for k in LETTER_KEYS] == [
        LetterState.RECEIVED, LetterState.IN_HANDLING, LetterState.REPLY_DRAFTED, LetterState.REVIEW_REQUESTED,
        LetterState.IN_HANDLING, LetterState.IN_HANDLING,
    ]  # fmt: skip
    all_users = {**users, **citizens}
    return World(
        letters=letters,
        users=all_users,
        clients=_clients(all_users),
        citizen_file=citizen_file,
        note_file=note_file,
        mailbox=mailbox,
        query_codes=codes,
        explanation=explanation,
        notifications=list(Notification.objects.filter(letter__in=letters.values()).select_related("recipient")),
    )


def _clients(users: dict[str, User]) -> dict[str, Client]:
    """One signed-in client per viewer (staff with both factors), reused by every case."""
    clients = {}
    for key, user in users.items():
        client = Client()
        if user.is_citizen:
            client.force_login(user)
        else:
            sign_in(client, user)
        clients[key] = client
    clients[ANONYMOUS] = Client()
    return clients


# ---------------------------------------------------------------- reading a response


def page_text(response: HttpResponseBase) -> str:
    """Everything a person could read in the response: the body (entities and JSON escapes undone) and the
    headers (percent-encoding undone, for the file name of a download)."""
    parts = [f"{name}: {urllib.parse.unquote(value)}" for name, value in response.items()]
    content_type = response.get("Content-Type", "")
    body = b"" if getattr(response, "streaming", False) else response.content  # type: ignore[attr-defined]
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    parts.append(html.unescape(text))
    return "\n".join(parts)


def canaries_in(text: str) -> set[str]:
    """The canary names (identity and content) that ``text`` contains."""
    found = {name for name, value in IDENTITY.items() if value in text}
    return found | {name for name, value in CONTENT.items() if value in text}
