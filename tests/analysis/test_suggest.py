"""Pre-dispatch suggestions: place, officer, police type and letter type, each with the words behind it;
and the figures on the held-out part of the labelled corpus."""

from __future__ import annotations

import pytest

from xinfang.analysis import dispatch_eval
from xinfang.analysis.places import guess_place, short_form
from xinfang.analysis.suggest import find_officer, letter_types, police_types, suggest_place
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Unit


@pytest.mark.parametrize(
    ("text", "mailbox", "code", "words"),
    [
        ("我在天河被人打了", "440100", "440106", ("天河",)),
        ("宝安西乡的出租屋被盗", "440000", "440306", ("宝安",)),
        ("南海的交警乱罚款", "440000", "440605", ("南海",)),
        ("仙桃的派出所不作为", "420000", "429004", ("仙桃",)),
        ("石河子的户口怎么迁", "XPCC", "659001", ("石河子",)),
        ("广东省广州市天河区体育西路", "", "440106", ("广东省", "广州市", "天河区")),
        ("恩施州公安局", "", "422800", ("恩施州",)),
    ],
)
def test_it_finds_the_place_from_full_names_and_short_forms(
    text: str, mailbox: str, code: str, words: tuple[str, ...]
) -> None:
    place = suggest_place(text, jurisdiction=mailbox)
    assert place is not None and place.value == code and place.words == words


def test_a_name_shared_by_several_places_is_decided_by_the_mailbox_or_left_out() -> None:
    nanjing = guess_place("鼓楼区的派出所不出警", jurisdiction="320100")
    fuzhou = guess_place("鼓楼区的派出所不出警", jurisdiction="350100")
    assert nanjing is not None and nanjing.division.code == "320106"
    assert fuzhou is not None and fuzhou.division.code == "350102"
    assert guess_place("鼓楼区的派出所不出警") is None


def test_a_road_or_an_everyday_word_is_not_a_place() -> None:
    assert guess_place("我在天河路上被撞了") is None
    assert guess_place("祝你平安，长寿") is None
    assert short_form("孟连傣族拉祜族佤族自治县") == "孟连"


@pytest.mark.parametrize(
    ("text", "name", "badge", "post"),
    [
        ("民警王某某打了我", "王某某", "", "民警"),
        ("民警张三把我推倒在地", "张三", "", "民警"),
        ("王警官态度恶劣", "王", "", "警官"),
        ("张所长收红包", "张", "", "所长"),
        ("警号：１２３ ４５６的民警不理我", "", "123456", "民警"),
        ("派出所的辅警骂人", "", "", "辅警"),
    ],
)
def test_it_finds_the_officer_by_name_badge_or_post(text: str, name: str, badge: str, post: str) -> None:
    officer = find_officer(text)
    assert officer is not None and (officer.name, officer.badge, officer.post) == (name, badge, post)
    assert officer.words


def test_a_letter_naming_no_officer_gets_none() -> None:
    assert find_officer("请问身份证丢了怎么补办？") is None


@pytest.mark.parametrize(
    ("text", "police_type", "word"),
    [
        ("交警乱开罚单还扣了我6分", "traffic", "罚单"),
        ("孩子出生了怎么落户", "household", "落户"),
        ("港澳通行证签注要多久", "exit_entry", "港澳通行证"),
        ("公司非法集资老板跑路了", "economic", "非法集资"),
        ("网上刷单被骗了三万", "cyber", "刷单"),
        ("楼上有人吸毒", "narcotics", "吸毒"),
        ("看守所不让律师会见", "detention", "看守所"),
        ("楼下烧烤店噪音扰民", "public_order", "噪音"),
        ("电动车被盗窃了", "criminal", "盗窃"),
        ("交警对我态度恶劣", "inspection", "态度恶劣"),
        ("民警吃拿卡要", "discipline", "吃拿卡要"),
        # Conduct goes to inspection, integrity to discipline, whatever the officer's own department (issue 20 §1).
        ("派出所副所长滥用职权，扣押我的车不给任何手续", "inspection", "滥用职权"),
        ("交警大队的民警执法程序违法，没有告知就直接拖车", "inspection", "程序违法"),
        ("刑警队长逢年过节收受老板送的购物卡", "discipline", "收受"),
        ("治安大队的民警昨晚酒驾撞了护栏", "discipline", "酒驾"),
        ("辖区民警给赌场通风报信，每次检查前都有人提前走", "discipline", "通风报信"),
        ("The officer took money from the shop owner to drop the case", "discipline", "took money"),
        ("How do I apply for a visa extension?", "exit_entry", "visa"),
        ("派出所民警收了对方两千块的好处，把打人的放了", "discipline", "收了对方两千块的好处"),
        ("I am a foreign worker and my employer keeps my passport", "exit_entry", "foreign"),
        ("出租屋里有人开赌场，天天半夜吵架", "public_order", "赌场"),
        ("网上买票付了钱就被对方拉黑了", "cyber", "拉黑"),
    ],
)
def test_it_suggests_the_police_type_with_its_words(text: str, police_type: str, word: str) -> None:
    best = police_types(text)[0]
    assert best.value == police_type and word in best.words and 0 < best.confidence <= 1


def test_an_english_cue_matches_whole_words_only() -> None:
    assert not any(s.value == "cyber" for s in police_types("How do I apply for a residence permit?"))


@pytest.mark.parametrize(
    ("text", "letter_type"),
    [
        ("我要投诉这个民警", "complaint"),
        ("实名举报某所长受贿", "report"),
        ("请问办护照需要什么材料？", "inquiry"),
        ("建议增设一个红绿灯", "suggestion"),
        ("求助：车被拖走了，要求解决", "request"),
        ("感谢民警帮我找回孩子，送上锦旗", "praise"),
    ],
)
def test_it_suggests_the_letter_type(text: str, letter_type: str) -> None:
    assert letter_types(text)[0].value == letter_type


def test_the_corpus_is_large_enough_and_split_once() -> None:
    rows = dispatch_eval.load()
    held_out = [r for r in rows if dispatch_eval.part(r) == "held_out"]
    assert len(rows) >= 260 and 80 <= len(held_out) <= 100
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["expected_unit"] for r in rows)  # every letter says where it should be handled
    assert [r["id"] for r in held_out] == [r["id"] for r in dispatch_eval.load() if dispatch_eval.part(r) == "held_out"]


@pytest.mark.django_db
def test_the_held_out_figures_meet_the_targets(tree: None) -> None:
    """The targets of issue 16, and for the place, the accused unit and the routed unit (issue 20: 95 %)
    the figure reached on the 90 held-out letters, rounded down, so that a regression fails
    (docs/analysis.md, section 2)."""
    held_out = [r for r in dispatch_eval.load() if dispatch_eval.part(r) == "held_out"]
    scores = dispatch_eval.evaluate(held_out)
    assert scores["place"].rate >= 0.97, scores["place"].misses  # target 0.90 (reached: 70/72)
    assert scores["police_type"].rate >= 0.88, scores["police_type"].misses  # 80/90
    assert scores["letter_type"].rate >= 0.85, scores["letter_type"].misses
    assert scores["accused"].rate >= 0.92, scores["accused"].misses  # 37/40
    assert scores["officer"].rate >= 0.80, scores["officer"].misses
    assert scores["routed_unit"].rate >= 0.93, scores["routed_unit"].misses  # 84/90; target 0.95
    assert scores["routed_bureau"].rate >= 0.96, scores["routed_bureau"].misses  # 87/90
    # Issue 20's own measure: the routing rules with the fields entered as an acceptor would.
    assert scores["routed_entered"].rate >= 0.95, scores["routed_entered"].misses  # 90/90


@pytest.mark.django_db
def test_every_expected_unit_is_a_unit_of_the_tree(tree: None) -> None:
    """A label naming no unit (a typo, a department code of the wrong form) would count as a miss for ever."""
    codes = {r["expected_unit"] for r in dispatch_eval.load()}
    bureaus = set(Unit.objects.filter(code__in={c.partition("-")[0] for c in codes}).values_list("code", flat=True))
    assert {c.partition("-")[0] for c in codes} <= bureaus
    assert all(c.partition("-")[2] in ("", *PoliceType.values) for c in codes)
