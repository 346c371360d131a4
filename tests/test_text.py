"""What people type is stored without bidi controls, zero-width and control characters (xinfang.text)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from xinfang.accounts.models import User
from xinfang.accounts.selectors import citizen_by_phone, citizen_identity
from xinfang.accounts.services import citizen_create, staff_create
from xinfang.letters.models import Message
from xinfang.letters.services import letter_submit, message_post
from xinfang.notifications import sms
from xinfang.orgs.models import Mailbox, Unit
from xinfang.text import clean_input, strip_invisible, visible_length
from xinfang.vocabulary import Channel, LetterType

HIDDEN = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u2060\ufeff\x00\x07\x1b\x7f\x85"


def test_clean_input_strips_bidi_controls_zero_width_and_control_characters() -> None:
    assert clean_input(f"举报{HIDDEN}派出所") == "举报派出所"


def test_clean_input_keeps_newlines_tabs_and_everything_visible() -> None:
    assert clean_input("第一行\r\n第二行\r第三行\n\t缩进 ·阿依古丽·买买提 ＡＢＣ 😀") == (
        "第一行\n第二行\n第三行\n\t缩进 ·阿依古丽·买买提 ＡＢＣ 😀"
    )


def test_strip_invisible_removes_every_format_and_control_character() -> None:
    assert strip_invisible("a\u00adb\u2061c\U000e0041d\u200be\x07f\ng") == "abcdef\ng"
    assert visible_length("\u200b\u200b\u200b\u200bab") == 2
    assert visible_length("\u202eabc \u3000\n") == 3
    assert visible_length("回电核实") == 4


@pytest.fixture
def gd_citizen(db: None) -> User:
    return citizen_create(
        real_name="张三", id_number="11010519491231002X", phone="13800138000", password=None, phone_verified_at=None
    )


def test_a_portal_letter_is_stored_without_bidi_overrides_and_control_characters(
    gd_citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = letter_submit(
        mailbox=gd_mailbox, actor=gd_citizen, letter_type=LetterType.INQUIRY, channel=Channel.WEB,
        subject="户口\u202e迁移\x07咨询", text="请问\u2066需要\u200b哪些材料？\r\n谢谢。", address="天河\u202e区",
    ).letter  # fmt: skip
    letter.refresh_from_db()
    assert (letter.subject, letter.text, letter.address) == ("户口迁移咨询", "请问需要哪些材料？\n谢谢。", "天河区")


def test_a_subject_of_nothing_but_invisible_characters_is_refused(gd_citizen: User, gd_mailbox: Mailbox) -> None:
    from xinfang.letters.lifecycle import LifecycleError

    with pytest.raises(LifecycleError):
        letter_submit(
            mailbox=gd_mailbox, actor=gd_citizen, letter_type=LetterType.INQUIRY, channel=Channel.WEB,
            subject="\u202e\u200b\x07", text="请问需要哪些材料？",
        )  # fmt: skip


def test_a_message_is_stored_without_them(gd_citizen: User, gd_mailbox: Mailbox) -> None:
    letter = letter_submit(
        mailbox=gd_mailbox, actor=gd_citizen, letter_type=LetterType.INQUIRY, channel=Channel.WEB,
        subject="户口迁移咨询", text="请问需要哪些材料？",
    ).letter  # fmt: skip
    message = message_post(letter=letter, actor=gd_citizen, kind=Message.Kind.FROM_CITIZEN, text="补充\u202e说明\x07。")
    message.refresh_from_db()
    assert message.text == "补充说明。"


def test_a_sign_up_name_is_stored_without_them(client: Client, tree: None) -> None:
    sms.outbox.clear()
    form = {
        "real_name": "李\u202e四\x07",
        "id_number": "440106199001011235",
        "phone": "13912345678",
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
    }
    client.post("/account/sign-up/", {**form, "action": "send_code"})
    code = re.search(r"\d{6}", sms.outbox[-1].text)
    assert code is not None
    assert client.post("/account/sign-up/", {**form, "code": code.group(0)}).status_code == 302
    user = citizen_by_phone("13912345678")
    assert user is not None
    identity = citizen_identity(user)
    assert identity is not None and identity.real_name == "李四"


def test_a_staff_display_name_is_stored_without_them(guangdong: Unit) -> None:
    user = staff_create(username="seat9", password="x-long-password", unit=guangdong, roles=[], actor=None,
                        full_name="王\u202e五\u200b")  # fmt: skip
    user.refresh_from_db()
    assert user.first_name == "王五"
