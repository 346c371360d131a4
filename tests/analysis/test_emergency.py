"""``analysis.emergency``: an emergency happening now, read from the meaning of the text (issue 16 §1)."""

from __future__ import annotations

import time

import pytest

from xinfang.analysis.emergency import emergency_words, read
from xinfang.analysis.evaluation import by_split, load


@pytest.mark.parametrize(
    "text",
    [
        "我老公正在打我，我躲在卫生间里…请派民警过来",  # passed unflagged before (issue 16)
        "他又拿着菜刀在门口转，我和孩子把门反锁了",  # no 救命, no 报警
        "我儿子刚才还在楼下玩，现在找不到了，才六岁。",  # a missing child
        "楼道里全是烟，电梯停了，我家老人走不动。",  # smoke
        "我闻到很浓的煤气味，隔壁敲门没人应。",  # gas
        "我被困在电梯里快一个小时了，里面很热。",  # confinement
        "我站在楼顶了，这个世界没有人在乎我。",  # suicide
        "有人一直根着我，我好害怕。",  # followed, with a typo
        "佢而家喺度打我，我躲喺厕所。",  # Cantonese
        "俺家着火了，火都烧到窗户了。",  # dialect
        "我家孩子被一个陌生人抱上了电动车，就在小区门口，刚刚的事。",  # abduction
        "家里著火了，快來人！",  # Traditional characters
        "Someone is breaking into my house, I can hear them downstairs.",
        "There was just a crash on the highway and people are trapped in the car.",
        "He is outside my door with a knife and says he will kill me.",
    ],
)
def test_it_recognises_an_emergency_happening_now_without_fixed_phrases(text: str) -> None:
    assert read(text).flagged, text


@pytest.mark.parametrize(
    "text",
    [
        "去年我被人打了，派出所一直没处理。",  # past
        "上个月我家被盗，到现在还没破案。",  # past
        "Last week someone hit my car in the parking lot and drove off.",  # past, English
        "请问如果有人在我家门口闹事，我该怎么办？",  # hypothetical
        "万一遇到煤气泄漏，应该怎么处理？",  # hypothetical
        "What should I do if someone is stalking me?",  # how-to question
        "救命啊，我的材料又被退回了。",  # loose word
        "你们这种办事效率真是杀人不见血。",  # loose word
        "急死了，户口到现在还没办好。",  # loose word
        "我上周被打报警，民警两个小时才到，太慢了。",  # complaint about a past response
        "感谢民警及时赶到，救出了被困的群众。",  # praise for a past rescue
        "以前我老公经常打我，现在已经离婚了，想问问孩子抚养的事。",  # habit, then now without danger
        "邻居长期在楼道堆放杂物，存在火灾隐患，请相关部门检查。",  # a hazard, not a fire
        "他没有打我，只是吵了几句，希望民警调解。",  # negation
    ],
)
def test_past_hypothetical_loose_and_grateful_letters_are_not_emergencies(text: str) -> None:
    assert not read(text).flagged, (text, read(text).words)


def test_it_returns_the_words_that_raised_the_flag_as_the_writer_typed_them() -> None:
    assert emergency_words("我老公正在打我，我躲在卫生间里…请派民警过来") == ["正在打", "躲在"]
    assert emergency_words("孩子不見了！") == ["孩子不見了"]  # Traditional, as written
    assert emergency_words("Someone is BEATING my mother right now") == ["is BEATING my mother", "right now"]


def test_it_reads_a_long_letter_well_within_the_time_of_a_keystroke() -> None:
    letter = ("我要反映派出所民警办理户籍迁移时多次推诿的问题，至今未办，" * 70)[:1900] + "他正在砸门，快来！"
    timings = []
    for _ in range(20):  # the fastest run: the machine running the tests is shared
        started = time.process_time()  # CPU time: other processes on the machine do not count
        assert read(letter).flagged
        timings.append(time.process_time() - started)
    # About 3.6 ms on the 2-core test machine (docs/analysis.md); the bound leaves room for its load.
    assert min(timings) < 0.010


def test_the_held_out_letters_meet_the_targets() -> None:
    letters = load()
    assert len(letters) >= 400
    scores = by_split(letters)["held_out"]
    assert scores.recall >= 0.95, [x.text for x in scores.errors]
    assert scores.precision >= 0.80, [x.text for x in scores.errors]


def test_the_corpus_has_the_letters_the_issue_asks_for() -> None:
    letters = load()
    emergencies = [x for x in letters if x.label == "emergency"]
    assert len(emergencies) >= 80 and sum(x.kind == "emergency_indirect" for x in emergencies) >= 60
    hard = {"past", "hypothetical", "loose_word", "handling_complaint", "praise"}
    assert sum(x.kind in hard for x in letters) >= 80
    assert sum(x.language == "en" for x in letters) >= 0.15 * len(letters)
    assert {"dialect", "zh_typos"} <= {x.language for x in letters}
