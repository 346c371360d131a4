"""The desk letter page's repeat candidates: an earlier letter on the same matter, linked in one click."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import ConsoleClient, receive, resident_id
from xinfang.accounts.models import User
from xinfang.accounts.services import citizen_create
from xinfang.analysis.repeats import index_signatures
from xinfang.letters.lifecycle import TRANSITIONS, Action
from xinfang.letters.models import Letter, LetterEvent
from xinfang.orgs.models import Mailbox

ORIGINAL = (
    "2026年3月5日我到天河区沙河派出所办理身份证，窗口的民警张某说要加急得交200元，"
    "我交了以后没有给任何收据，证件到现在也没拿到。"
)
AGAIN = "再次反映：我三月初在沙河派出所办身份证，民警张某收了我200块加急费不开收据，身份证至今没拿到。"


def url(letter: Letter) -> str:
    return f"/console/desk/{letter.public_id}/"


def other_writer() -> User:
    return citizen_create(
        real_name="李四", id_number=resident_id("11010519491231003"), phone="13800138001", password=PASSWORD,
        phone_verified_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def earlier(citizen: User, gd_mailbox: Mailbox) -> Letter:
    letter = receive(citizen, gd_mailbox, subject="办身份证被收加急费", text=ORIGINAL)
    index_signatures()  # the worker's minute
    return letter


def test_a_re_sent_letter_shows_its_earlier_letter_and_links_it(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox, earlier: Letter
) -> None:
    again = receive(citizen, gd_mailbox, subject="再次反映加急费", text=AGAIN)  # not indexed yet
    client = console_client(acceptor)
    page = client.get(url(again)).content.decode()
    panel = page.split("data-repeat-candidates")[1].split("</section>")[0]
    assert earlier.tracking_number in panel
    assert "同一信访人" in panel and "<mark>" in panel and "加急" in panel
    assert "链接为重复件" in panel and "disabled" not in panel

    response = client.post(f"{url(again)}repeat", {"earlier": str(earlier.public_id), "version": again.version})
    assert response.status_code == 302
    assert "已将本件链接为" in client.get(response["Location"]).content.decode()
    assert Letter.objects.get(pk=again.pk).repeat_of_id == earlier.pk
    event = LetterEvent.objects.get(letter=again, action="link_repeat")
    assert event.actor == acceptor and event.data == {"earlier": earlier.tracking_number}
    timeline = client.get(f"/console/letters/{again.public_id}/").content.decode()
    assert str(TRANSITIONS[Action.LINK_REPEAT].label) in timeline.split('class="timeline"')[1]


def test_another_writers_letter_is_shown_but_not_linkable(
    console_client: ConsoleClient, acceptor: User, gd_mailbox: Mailbox, earlier: Letter
) -> None:
    again = receive(other_writer(), gd_mailbox, subject="再次反映加急费", text=AGAIN)
    client = console_client(acceptor)
    panel = client.get(url(again)).content.decode().split("data-repeat-candidates")[1].split("</section>")[0]
    assert earlier.tracking_number in panel and "disabled" in panel and "不是同一信访人的来信" in panel
    response = client.post(f"{url(again)}repeat", {"earlier": str(earlier.public_id), "version": again.version})
    assert response.status_code == 302
    assert Letter.objects.get(pk=again.pk).repeat_of_id is None
    assert "只能关联同一信访人的另一封信件" in client.get(url(again)).content.decode()


def test_a_letter_the_viewer_may_not_see_is_never_a_candidate(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    hidden = receive(citizen, Mailbox.objects.get(slug="zj"), subject="办身份证被收加急费", text=ORIGINAL)
    index_signatures()
    again = receive(citizen, gd_mailbox, subject="再次反映加急费", text=AGAIN)
    client = console_client(acceptor)
    page = client.get(url(again)).content.decode()
    assert hidden.tracking_number not in page
    assert "没有发现同一信访人或同一事项的早前来信" in page
    # nor can it be linked by posting its id
    client.post(f"{url(again)}repeat", {"earlier": str(hidden.public_id), "version": again.version})
    assert Letter.objects.get(pk=again.pk).repeat_of_id is None
