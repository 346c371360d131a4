"""The console reads in one language (issue 20 §3): in English, units by their English names, the
staff letter page headed as staff read it and its timeline in proper labels; in Chinese, the
back office without English app or model names."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import handled_letter, page_url, text_of
from xinfang.accounts.models import User
from xinfang.letters.lifecycle import EVENT_LABELS, RECEIVE, Action, event_label
from xinfang.letters.models import Letter, LetterState
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db

Sign = Callable[[User], Client]


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User) -> Letter:
    return handled_letter(citizen, gd_mailbox, acceptor, tianhe, handler, subject="户籍迁移久拖不办")


def english(client: Client, url: str) -> str:
    return text_of(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))


def test_the_staff_letter_page_in_english_is_not_headed_your_letter_and_names_units_in_english(
    console_client: Sign, handler: User, letter: Letter, tianhe: Unit
) -> None:
    page = english(console_client(handler), page_url(letter))
    assert "Your letter" not in page  # the portal's heading for the writer's own letter
    assert "Letter text" in page
    assert f"{handler.username} · {tianhe.name_en}" in page  # the header: who and where
    assert tianhe.name not in page


def test_the_timeline_in_english_names_what_happened_in_proper_labels(
    console_client: Sign, handler: User, letter: Letter
) -> None:
    html = console_client(handler).get(page_url(letter), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    timeline = html[html.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    labels = re.findall(r"<strong>([^<]*)</strong>", timeline)
    # Before: "Intake" (another app's word for 受理), "transfer or assign", "start handling".
    assert labels == [
        "Letter received",
        "Accepted",
        "Accused unit decided",
        "Transferred or assigned",
        "Handling started",
    ]


def test_every_recorded_action_has_a_timeline_label_that_reads_as_a_label_in_english() -> None:
    assert set(EVENT_LABELS) == {RECEIVE, *Action}
    with translation.override("en"):
        labels = {action: event_label(action) for action in EVENT_LABELS}
    assert [action for action, label in labels.items() if not label[:1].isupper() or re.search("[一-鿿]", label)] == []
    assert len(set(labels.values())) == len(labels)  # no two actions read the same
    assert event_label("an_action_of_an_older_version") == "an_action_of_an_older_version"


def test_every_letter_state_reads_as_a_label_in_english() -> None:
    """不予受理 is both a state and an action: the state reads "Not accepted", never the verb "refuse"."""
    with translation.override("en"):
        states = [str(state.label) for state in LetterState]
    assert [state for state in states if not state[:1].isupper()] == []


def test_the_statistics_letter_list_in_english_names_units_in_english(
    console_client: Sign, inspector: User, letter: Letter, tianhe: Unit, guangdong: Unit
) -> None:
    page = english(console_client(inspector), "/console/statistics/letters/")
    assert letter.tracking_number in page
    assert tianhe.name_en in page and guangdong.name_en in page
    assert tianhe.name not in page and guangdong.name not in page


def test_the_back_office_index_in_chinese_has_no_english_app_or_model_names(
    admin_client: Client, admin_user: User
) -> None:
    response = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", "\n", html)).replace(admin_user.get_username(), "")
    english_words = sorted({line.strip() for line in text.splitlines() if re.search("[A-Za-z]{2,}", line)})
    assert english_words == []
    assert "公安信访管理后台" in text
    for name in ("动态口令设备", "备用验证码设备", "登录失败记录", "登录日志", "任务结果"):
        assert name in text
