"""What the identifying-content detector masks (examples; the spelling properties are in test_spellings.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.explanations.conftest import ID_NUMBER, NAME, PHONE, Complaint
from xinfang.analysis.identifying import MASK, Leak, Sensitive, leaks, mask, redact

NOBODY = Sensitive()


def masked(text: str, sensitive: Sensitive = NOBODY) -> str:
    return mask(text, sensitive)[0]


@pytest.mark.parametrize(
    ("name", "text", "gone"),
    [
        ("张三", "我叫张三，请核实", "张三"),
        ("张三", "信访人张 三、张　三", "三"),
        ("张三", "张先生多次来电", "张先生"),
        ("欧阳娜娜", "欧阳娜娜，又写作欧阳 娜娜，朋友叫她娜娜", "娜娜"),
        ("John Smith", "Written by JOHN  SMITH; Smith says", "mith"),
    ],
)
def test_it_masks_the_writers_name_spaced_out_or_in_part(name: str, text: str, gone: str) -> None:
    result = masked(text, Sensitive(name=name))
    assert gone.lower() not in result.lower()
    assert MASK in result


def test_it_keeps_a_one_character_given_name_alone_and_the_accused_officers_name() -> None:
    result = masked("民警李四说三天后再来", Sensitive(name="张三"))
    assert result == "民警李四说三天后再来"


@pytest.mark.parametrize(
    "number",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "0086 13800138000",
        "020-87654321",
        "(020) 8765 4321",
        "0755 1234 5678",
    ],
)
def test_it_masks_mobile_and_landline_numbers(number: str) -> None:
    result = masked(f"联系我：{number}，谢谢")
    assert not re.search(r"\d{3}", result), result


def test_it_masks_a_short_number_written_after_a_phone_label() -> None:
    assert masked("座机电话：87654321") == f"座机电话：{MASK}"


@pytest.mark.parametrize(
    "id_number",
    ["11010519491231002X", "11010519491231002x", "440106199001011234", "440106 19900101 123X", "440106900101123"],
)
def test_it_masks_resident_id_numbers(id_number: str) -> None:
    assert masked(f"身份证号{id_number}。") == f"身份证号{MASK}。"


@pytest.mark.parametrize("plate", ["粤A12345", "粤A·12345", "粤AD12345", "粤A12345D", "京A1234警", "粤b 12345"])
def test_it_masks_car_plates(plate: str) -> None:
    assert masked(f"车牌{plate}被扣") == f"车牌{MASK}被扣"


@pytest.mark.parametrize("email", ["zhang.san@example.com", "a_b+c@qq.com", "li-si@mail.gd.gov.cn"])
def test_it_masks_email_addresses(email: str) -> None:
    assert masked(f"邮箱 {email} 。") == f"邮箱 {MASK} 。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("微信号：zhangsan_88", f"微信号：{MASK}"),
        ("加微信 wxid_abc123 联系", f"加微信 {MASK} 联系"),
        ("QQ 123456789", f"QQ {MASK}"),
        ("qq号是12345678", f"qq号是{MASK}"),
    ],
)
def test_it_masks_wechat_and_qq_ids_after_their_label(text: str, expected: str) -> None:
    assert masked(text) == expected


def test_it_leaves_ordinary_text_dates_and_badge_numbers_alone() -> None:
    text = "2026年2月20日上午10:30，民警李四（警号 123456）在天河路派出所说要等 3 个工作日。"
    assert masked(text) == text


def test_it_masks_tracking_numbers_and_query_codes_of_any_letter() -> None:
    text = "之前的信件 GD-20260301-123456，查询码 ABCD-EFGH-JKMN-PQRS。"
    assert masked(text) == f"之前的信件 {MASK}，查询码 {MASK}。"


@pytest.mark.django_db
def test_redact_masks_everything_of_the_letter_and_leaks_reports_nothing_left(complaint: Complaint) -> None:
    letter = complaint.letter
    text = f"{letter.text} 编号{letter.tracking_number}，查询码 {complaint.query_code.replace('-', '').lower()}"
    result = redact(text, letter=letter)
    for secret in (NAME, "138-0013-8000", ID_NUMBER, "体育西路", "粤A12345", "zhangsan", letter.tracking_number):
        assert secret not in result
    assert "abcdefghjkmnpqrs" not in result
    assert "民警李四" in result and "123456" in result  # the accused officer and badge stay
    assert leaks(result, letter=letter) == []
    assert set(leaks(text, letter=letter)) >= {Leak.NAME, Leak.PHONE, Leak.ID_NUMBER, Leak.QUERY_CODE}
    assert PHONE not in result


# ---------------------------------------------------------------- properties

SEPARATORS = st.sampled_from(["", " ", "-"])


@st.composite
def mobile_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A mainland mobile number, and how someone might write it (grouped, with or without +86)."""
    digits = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    gap1, gap2 = draw(SEPARATORS), draw(SEPARATORS)
    written = digits[:3] + gap1 + digits[3:7] + gap2 + digits[7:]
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086-", "86 "]))
    return digits, prefix + written


@given(before=st.text(max_size=40), number=mobile_numbers(), after=st.text(max_size=40))
def test_no_mobile_number_survives_in_any_surrounding_text(before: str, number: tuple[str, str], after: str) -> None:
    digits, written = number
    result = masked(before + written + after)
    assert written not in result
    assert digits not in re.sub(r"[\s\-]", "", result.replace(MASK, "|"))


@given(
    before=st.text(max_size=30),
    id_number=st.from_regex(r"\A[1-9]\d{16}[\dX]\Z"),
    after=st.text(max_size=30),
)
def test_no_id_number_survives_in_any_surrounding_text(before: str, id_number: str, after: str) -> None:
    assert id_number not in masked(before + id_number + after)


@given(text=st.text(max_size=200), name=st.sampled_from(["张三", "欧阳娜娜", "John Smith", ""]))
def test_redaction_is_idempotent(text: str, name: str) -> None:
    sensitive = Sensitive(name=name, numbers=(PHONE, ID_NUMBER), tracking_number="GD-20260302-123456")
    once, _ = mask(text, sensitive)
    assert mask(once, sensitive) == (once, [])
