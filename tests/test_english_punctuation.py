"""English pages read with English punctuation (issue 20 §3): no "Tianhe Sub-bureau（Transfer）" or
"Transferred to：…" where a template put Chinese punctuation around a translated label or a value.

Chinese the page shows as data (a letter's text, a Chinese name) keeps its own punctuation; what must not
appear is full-width punctuation touching English words or figures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import handled_letter, page_url, receive, text_of
from tests.letters.conftest import decide_accused
from xinfang.accounts.models import Role, User
from xinfang.analysis.repeats import Candidate
from xinfang.console.templatetags.repeat_tags import _keys
from xinfang.deadlines.law import Step
from xinfang.deadlines.models import TimeLimitPolicy
from xinfang.letters import services as s
from xinfang.orgs.admin import MailboxAdmin
from xinfang.orgs.models import Mailbox, Unit
from xinfang.statistics.exports import period_text
from xinfang.statistics.selectors import Period, _names
from xinfang.vocabulary import LetterType

pytestmark = pytest.mark.django_db

# Chinese punctuation touching a Latin letter or a figure: "on：", "Bureau（Transfer）", "（acceptor，2026".
BESIDE_ENGLISH = re.compile("[A-Za-z0-9][（）：，。；、]|[（）：，。；、][A-Za-z0-9]")


def english(client: Client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return text_of(response)


def beside_english(page: str) -> list[str]:
    return [page[max(0, m.start() - 30) : m.end() + 30] for m in BESIDE_ENGLISH.finditer(page)]


def test_the_staff_letter_page_in_english(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, guangzhou: Unit, tianhe: Unit
) -> None:
    handler = make_staff("gz-handler", guangzhou, Role.HANDLER)
    letter = handled_letter(
        citizen, gd_mailbox, acceptor, guangzhou, handler, letter_type=LetterType.COMPLAINT, accused_unit=tianhe,
        accused_officer_name="王某", accused_badge_number="012345", reason="由市局统一核查",
    )  # fmt: skip
    s.letter_request_extension(letter=letter, actor=handler, days=10, reason="需要调取监控录像")

    client = sign_in(Client(), handler)
    page = english(client, page_url(letter))

    assert "Guangzhou City Public Security Bureau (Transfer)" in page  # the handling unit, and how it came
    assert "王某 (badge 012345)" in page and "Extension request of 10 days (Pending): 需要调取监控录像" in page
    assert beside_english(page) == []
    chinese = text_of(client.get(page_url(letter), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "广州市公安局（转办）" in chinese and "王某（警号 012345）" in chinese


def test_the_desk_letter_page_in_english(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit) -> None:
    letter = receive(citizen, gd_mailbox, letter_type=LetterType.COMPLAINT, accused_unit=tianhe)
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)

    page = english(sign_in(Client(), acceptor), reverse("console:desk_letter", args=[letter.public_id]))

    assert f"({acceptor.username}, " in page  # who decided the accused unit, and when
    assert beside_english(page) == []


def test_the_writers_pages_in_english(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User
) -> None:
    letter = handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler, address="体育西路 1 号")
    s.letter_draft_reply(letter=letter, actor=handler, text="经核查，已为您办理户籍迁移。")
    s.letter_approve_reply(letter=letter, actor=leader)
    client = Client()
    client.force_login(citizen)

    letter_page = english(client, reverse("portal:letter", args=[letter.public_id]))
    my_letters = english(client, reverse("portal:my_letters"))

    assert "体育西路 1 号" in letter_page and letter.tracking_number in my_letters
    assert beside_english(letter_page) == [] and beside_english(my_letters) == []


def test_what_python_puts_together_reads_with_english_punctuation_in_english(tianhe: Unit) -> None:
    """Lists, a period with its dates, a place with its code and a time limit, built in code, not in a template."""
    mailbox = Mailbox.objects.get(slug="gd")
    mailbox.letter_types = [LetterType.COMPLAINT, LetterType.REPORT]
    candidate = Candidate(
        letter=None, score=0.5, shared={"badge": ["012345", "054321"]}, passages=[], same_writer=False
    )  # type: ignore[arg-type]
    policy = TimeLimitPolicy(mailbox=mailbox, step=Step.values[0], days=15)
    june = Period("month", dt.date(2026, 6, 1), dt.date(2026, 6, 30))

    def built() -> dict[str, str]:
        return {
            "a list": MailboxAdmin(Mailbox, admin.site).letter_type_list(mailbox),
            "shared keys": " ".join(_keys(candidate)),
            "a period": period_text(june),
            "a place": _names("place", [tianhe.division_code])[tianhe.division_code],
            "a time limit": str(policy),
        }

    chinese = built()
    with translation.override("en"):
        english_built = built()
    assert {what: beside_english(text) for what, text in english_built.items() if beside_english(text)} == {}
    assert "、" in chinese["a list"] and "（2026-06-01" in chinese["a period"] and "：" in chinese["a time limit"]
