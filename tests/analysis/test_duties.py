"""The police type from what happened (issue 20 §1): letters that name no department and no cue word
of one get the department whose law gives it the event they tell (``xinfang/analysis/duties.py``)."""

from __future__ import annotations

import pytest

from xinfang.analysis.duties import DUTIES
from xinfang.analysis.suggest import police_types
from xinfang.orgs.choices import PoliceType

EVENTS = {
    "a-rear-end-collision": ("下班路上被一辆面包车追尾，对方司机说没钱赔", PoliceType.TRAFFIC),
    "hit-by-a-car-in-english": ("Dad was hit by a van at the crossing; the driver did not stop.", PoliceType.TRAFFIC),
    "a-newborn-to-register": ("女儿刚满月，想给她上户，但我和孩子妈妈还没领证", PoliceType.HOUSEHOLD),
    "a-foreigner-staying": ("我的外籍丈夫来探亲，想问问能不能申请永久居留", PoliceType.EXIT_ENTRY),
    "a-pickpocket": ("坐公交的时候包被划了，小偷把钱包拿走了", PoliceType.CRIMINAL),
    "a-burglary-in-english": ("Someone broke into my garage and took two bicycles.", PoliceType.CRIMINAL),
    "a-stolen-account": ("我的QQ号被盗了，骗子用它在群里让同学转钱", PoliceType.CYBER),
    "a-hacked-account-in-english": ("My email account was hacked, the hacker wants money.", PoliceType.CYBER),
    "nitrous-oxide": ("小区停车场经常有年轻人吸食笑气，到处扔小钢瓶", PoliceType.NARCOTICS),
    "a-relative-in-custody": ("我哥被刑拘关押在里面一个月了，想给他送点生活费", PoliceType.DETENTION),
    "a-late-night-disturbance": ("隔壁出租屋每天半夜摔东西，吵闹得孩子没法睡", PoliceType.PUBLIC_ORDER),
    "a-fund-raising-scheme": ("公司说投原始股每月返利百分之五，现在钱取不出来了", PoliceType.ECONOMIC),
    "an-officer-in-business": ("所里的民警在辖区开麻将馆，自己当老板", PoliceType.DISCIPLINE),
    "an-officer-selling-records": ("那个辅警查询别人的住址卖给讨债公司", PoliceType.DISCIPLINE),
    "an-officer-who-does-not-answer": ("报案后民警让我等通知，打了十几次电话都没人接", PoliceType.INSPECTION),
}  # fmt: skip


@pytest.mark.parametrize(("text", "police_type"), EVENTS.values(), ids=EVENTS.keys())
def test_the_event_a_letter_tells_gives_its_police_type(text: str, police_type: str) -> None:
    best = police_types(text)[0]

    assert best.value == police_type, police_types(text)


NAMED = {
    # A word that names the department outweighs an event that also happens elsewhere.
    "a-crash-at-the-exit-entry-office": ("出入境大厅门口的车被追尾了，我的护照还在车上", PoliceType.EXIT_ENTRY),
    "a-theft-told-to-the-traffic-police": ("交警把我扣下的电动车弄丢了", PoliceType.TRAFFIC),
    "a-fund-raising-case-with-a-car": ("经侦说公司老板跑路的案子还在查，我的车也被他开走了", PoliceType.ECONOMIC),
    "a-detention-centre-named": ("看守所里有人被打", PoliceType.DETENTION),
    "an-officer-drink-driving": ("民警酒驾撞了人", PoliceType.DISCIPLINE),
}  # fmt: skip


@pytest.mark.parametrize(("text", "police_type"), NAMED.values(), ids=NAMED.keys())
def test_a_word_that_names_the_department_still_decides(text: str, police_type: str) -> None:
    assert police_types(text)[0].value == police_type, police_types(text)


def test_every_police_type_of_a_department_has_its_law() -> None:
    assert set(DUTIES) == set(PoliceType) - {PoliceType.PETITION}
    assert all(law.startswith("《") and cues for law, cues in DUTIES.values())


def test_words_that_also_happen_elsewhere_do_not_suggest_a_type_alone() -> None:
    assert police_types("我开车去公司的路上想到一个问题") == []
