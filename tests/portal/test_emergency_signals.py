"""``letters.emergency.emergency_signals``: what stops a letter with "call 110 now"."""

from __future__ import annotations

import pytest

from xinfang.letters.emergency import emergency_signals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("楼下有人正在打人，快来", ["正在打人"]),
        ("邻居家着火了", ["着火"]),
        ("我的孩子被绑架了", ["绑架"]),
        ("他说今晚要杀了我全家", ["要杀"]),
        ("有人站在楼顶要跳楼", ["跳楼"]),
        ("一名男子持刀在街上", ["持刀"]),
        ("My neighbour is beating his wife", ["is beating"]),
        ("The shop next door is on fire!", ["on fire"]),
        ("My daughter was kidnapped an hour ago", ["kidnapped"]),
        ("He said he is going to kill me", ["going to kill"]),
    ],
)
def test_it_finds_emergencies_in_chinese_and_english(text: str, expected: list[str]) -> None:
    assert emergency_signals(text) == expected


def test_phrases_come_back_once_in_the_order_they_appear() -> None:
    text = "他持刀正在打人，还说要杀人。他还持刀。"
    assert emergency_signals(text) == ["持刀", "正在打人", "要杀"]


def test_spaces_and_case_do_not_hide_a_phrase() -> None:
    assert emergency_signals("正在 打 人") == ["正在打人"]
    assert emergency_signals("SOMEONE IS   BEATING ME") == ["IS BEATING"]


@pytest.mark.parametrize(
    "text",
    [
        "派出所民警办理户籍迁移时多次推诿，至今未办。",
        "I was fired from my job and the police ignored my complaint about wages.",
        "交警在路口执法态度粗暴。",
        "",
    ],
)
def test_ordinary_complaints_are_not_emergencies(text: str) -> None:
    assert emergency_signals(text) == []
