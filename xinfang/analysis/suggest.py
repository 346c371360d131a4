"""Intelligent pre-dispatch (智能预分拨): what a letter's text suggests to the acceptor, who confirms.

Four kinds of suggestion, each with a confidence (0–1) and the words behind it:

- the **accused unit** (``letters.accusation.accused_named_in``, the unit tree as dictionary) and the
  **officer** (name, badge number, post), for complaints and reports;
- the **place** (:mod:`xinfang.analysis.places`);
- the **police type** and the **letter type**, from transparent weighted cue lexicons below (for the
  police type, with the events each department's law gives it: :mod:`xinfang.analysis.duties`): each
  cue found adds its weight to its class; the top class wins, and its confidence is its share of
  all the weight found (a single weak cue is not trusted: no suggestion under ``MIN_SCORE``).

Nothing here writes: the desk shows the suggestions, and ``letters.services.letter_apply_suggestions``
fills what the acceptor accepts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from xinfang.analysis.duties import duty_cues
from xinfang.analysis.places import guess_place
from xinfang.letters.accusation import accused_named_in, place_bureau
from xinfang.letters.models import Letter
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.selectors import bureau_of
from xinfang.vocabulary import ACCUSATION_TYPES, LetterType

T = PoliceType
Cue = str | re.Pattern[str]
# Taking money, told as what happened: 收了对方的钱, 收了他两千块好处 (收钱, 收红包 are cues of their own).
TAKING_MONEY = re.compile(r"收了[^，。；！？,.;!?\s]{0,8}?(?:钱|红包|好处|回扣|礼金)")
# (cue, weight) per police type. Strong, specific words weigh 3; words that also occur elsewhere 1–2.
POLICE_TYPE_CUES: dict[str, tuple[tuple[Cue, float], ...]] = {
    T.TRAFFIC: (
        ("交警", 3),
        ("违章", 3),
        ("驾驶证", 3),
        ("驾照", 3),
        ("罚单", 3),
        ("扣分", 3),
        ("车管所", 3),
        ("交通事故", 3),
        ("电子眼", 3),
        ("闯红灯", 3),
        ("酒驾", 3),
        ("醉驾", 3),
        ("行驶证", 3),
        ("车牌", 2),
        ("拖车", 2),
        ("停车", 1),
        ("超速", 3),
        ("摩托车", 1),
        ("电动车", 1),
        ("事故认定", 3),
        ("驾校", 2),
        ("年检", 2),
        ("限行", 2),
        ("红绿灯", 2),
        ("speeding", 3),
        ("traffic", 3),
        ("driving licen", 3),
    ),
    T.HOUSEHOLD: (
        ("户口", 3),
        ("身份证", 3),
        ("落户", 3),
        ("迁移", 2),
        ("户籍", 3),
        ("迁入", 2),
        ("迁出", 2),
        ("户口本", 3),
        ("居住证", 3),
        ("改名", 2),
        ("更名", 2),
        ("准迁证", 3),
        ("出生登记", 3),
        ("ID card", 3),
        ("hukou", 3),
        ("residence permit", 3),
    ),
    T.EXIT_ENTRY: (
        ("出入境", 3),
        ("护照", 3),
        ("签证", 3),
        ("港澳通行证", 3),
        ("通行证", 2),
        ("签注", 3),
        ("台湾通行证", 3),
        ("出国", 2),
        ("外国人", 2),
        ("passport", 3),
        ("foreign", 2),  # foreigner, foreign worker: their stay is exit-entry's
        ("visa", 3),
    ),
    T.ECONOMIC: (
        ("传销", 3),
        ("非法集资", 3),
        ("集资", 2),
        ("理财", 2),
        ("合同诈骗", 3),
        ("骗贷", 3),
        ("投资", 1),
        ("暴雷", 3),
        ("跑路", 2),
        ("P2P", 3),
        ("高息", 2),
        ("洗钱", 3),
        ("假发票", 3),
        ("经侦", 3),
        ("非法吸收", 3),
        ("ponzi", 3),
    ),
    T.CYBER: (
        ("网络", 2),
        ("网上", 1),
        ("微信群", 2),
        ("诈骗网站", 3),
        ("网站", 2),
        ("网络诈骗", 3),
        ("刷单", 3),
        ("拉黑", 2),  # blocked after paying: an online fraud
        ("反诈", 3),
        ("网贷", 2),
        ("黑客", 3),
        ("个人信息", 2),
        ("泄露", 2),
        ("网警", 3),
        ("QQ", 2),
        ("APP", 2),
        ("直播", 2),
        ("网恋", 3),
        ("杀猪盘", 3),
        ("裸聊", 3),
        ("电信诈骗", 3),
        ("online", 2),
        ("website", 3),
        ("scam", 1),
    ),
    T.NARCOTICS: (
        ("吸毒", 3),
        ("贩毒", 3),
        ("毒品", 3),
        ("冰毒", 3),
        ("大麻", 3),
        ("溜冰", 2),
        ("制毒", 3),
        ("戒毒", 3),
        ("K粉", 3),
        ("drugs", 3),
    ),
    T.DETENTION: (
        ("看守所", 3),
        ("拘留所", 3),
        ("在押", 3),
        ("羁押", 3),
        ("会见", 2),
        ("监室", 3),
        ("牢头", 3),
        ("送衣物", 2),
        ("探视", 2),
        ("detention", 3),
    ),
    T.PUBLIC_ORDER: (
        ("打架", 3),
        ("吵架", 2),
        ("闹事", 2),
        ("巡逻", 2),
        ("赌场", 3),
        ("色情", 3),
        ("拉客", 2),
        ("噪音", 3),
        ("治安", 3),
        ("扰民", 3),
        ("斗殴", 3),
        ("赌博", 3),
        ("卖淫", 3),
        ("嫖娼", 3),
        ("寻衅滋事", 3),
        ("广场舞", 2),
        ("殴打", 2),
        ("打人", 2),
        ("纠纷", 2),
        ("邻居", 1),
        ("邻里", 2),
        ("调解", 2),
        ("咬伤", 3),
        ("狗", 2),
        ("噪声", 3),
        ("烟花", 2),
        ("占道", 2),
        ("养狗", 2),
        ("犬", 2),
        ("noise", 3),
        ("fight", 2),
    ),
    T.CRIMINAL: (
        ("盗窃", 3),
        ("抢劫", 3),
        ("命案", 3),
        ("立案", 2),
        ("被偷", 3),
        ("偷了", 3),
        ("失窃", 3),
        ("抢夺", 3),
        ("强奸", 3),
        ("绑架", 3),
        ("杀人", 3),
        ("故意伤害", 3),
        ("破案", 3),
        ("刑警", 3),
        ("嫌疑人", 2),
        ("抓捕", 3),
        ("侦查", 2),
        ("报案", 1),
        ("入室", 3),
        ("拐卖", 3),
        ("失踪", 2),
        ("诈骗", 1),
        ("stolen", 3),
        ("robbed", 3),
        ("burglary", 3),
        ("theft", 3),
    ),
    # A complaint about conduct goes to inspection whatever the officer's department: its cues weigh 4.
    T.INSPECTION: (
        ("执法不公", 4),
        ("态度恶劣", 4),
        ("态度很差", 4),
        ("不作为", 4),
        ("推诿", 4),
        ("刁难", 2),
        ("骂人", 2),
        ("粗暴", 4),
        ("不出警", 4),
        ("出警慢", 4),
        ("辱骂", 4),
        ("不管不问", 4),
        ("不理睬", 2),
        ("踢皮球", 3),
        ("督察", 3),
        ("敷衍", 2),
        ("不受理", 2),
        ("乱罚款", 2),
        # Abuse of power and procedure: how the officer acted, not what he took.
        ("滥用职权", 4),
        ("违反程序", 3),
        ("程序违法", 3),
        ("违规执法", 3),
        ("暴力执法", 4),
        ("不依法", 2),
        ("rude", 3),
        ("refused to", 2),
        ("abuse of power", 4),
        ("did nothing", 3),
    ),
    T.DISCIPLINE: (
        ("受贿", 3),
        ("吃拿卡要", 3),
        ("违纪", 3),
        ("索贿", 3),
        ("收钱", 3),
        ("收红包", 3),
        (TAKING_MONEY, 3),
        ("红包", 2),
        ("保护伞", 3),
        ("包庇", 3),
        ("贪污", 3),
        ("好处费", 3),
        ("请吃饭", 2),
        ("纪委", 3),
        ("经商", 2),
        # Money, gifts, business on the side, drink-driving, leaked information: the officer's integrity.
        ("收受", 3),
        ("送礼", 3),
        ("礼品", 2),
        ("办企业", 3),
        ("入股", 2),
        ("酒驾", 2),  # an officer's (×2 when police are the subject); a stranger's is traffic's
        ("醉驾", 2),
        ("酒后驾", 2),
        ("泄露", 3),
        ("泄密", 3),
        ("通风报信", 3),
        ("赌博", 2),
        ("bribe", 3),
        ("took money", 3),
        ("gifts", 2),
        ("drunk driving", 3),
        ("leaked", 3),
    ),
    T.LEGAL: (
        ("行政复议", 3),
        ("处罚决定", 2),
        ("行政处罚", 2),
        ("法律依据", 2),
        ("听证", 3),
        ("国家赔偿", 3),
        ("执法程序", 2),
        ("reconsideration", 3),
        ("administrative", 1),
    ),
    T.PETITION: (("信访", 2), ("上访", 3), ("信访件", 3), ("信访办", 3), ("答复", 1), ("重复信访", 3)),
}
L = LetterType
LETTER_TYPE_CUES: dict[str, tuple[tuple[Cue, float], ...]] = {
    L.COMPLAINT: (
        ("投诉", 4),
        ("态度恶劣", 3),
        ("态度很差", 3),
        ("执法不公", 3),
        ("处理不当", 3),
        ("不作为", 3),
        ("推诿", 3),
        ("刁难", 2),
        ("不满", 2),
        ("粗暴", 2),
        ("骂人", 2),
        ("辱骂", 2),
        ("不理睬", 2),
        ("敷衍", 2),
        ("乱罚款", 2),
        ("不出警", 3),
        ("出警慢", 3),
        ("太慢", 1),
        ("不管不问", 3),
        ("要求调查", 2),
        ("踢皮球", 3),
        ("complain", 4),
        ("rude", 3),
    ),
    L.REPORT: (
        ("举报", 4),
        ("检举", 4),
        ("揭发", 4),
        ("实名举报", 4),
        ("受贿", 3),
        ("吃拿卡要", 3),
        ("违纪", 3),
        ("保护伞", 3),
        ("包庇", 3),
        ("索贿", 3),
        ("收红包", 3),
        ("贪污", 3),
        ("窝点", 2),
        ("聚众", 1),
        ("report", 2),
        ("bribe", 3),
    ),
    L.INQUIRY: (
        ("咨询", 4),
        ("请问", 4),
        ("想问", 3),
        ("想了解", 3),
        ("怎么办理", 3),
        ("如何办理", 3),
        ("需要什么", 3),
        ("需要哪些", 3),
        ("如何", 1),
        ("怎么", 1),
        ("能不能", 1),
        ("是否可以", 2),
        ("可以吗", 2),
        ("吗？", 1),
        ("吗?", 1),
        ("多久", 1),
        ("how do", 3),
        ("how can", 3),
        ("may I", 2),
        ("could you tell", 3),
        ("what documents", 3),
        ("what is", 2),
    ),
    L.SUGGESTION: (
        ("建议", 4),
        ("意见", 2),
        ("希望增设", 3),
        ("提议", 3),
        ("增设", 2),
        ("改进", 2),
        ("优化", 2),
        ("是否考虑", 3),
        ("能否考虑", 3),
        ("suggest", 4),
        ("recommend", 3),
    ),
    L.REQUEST: (
        ("求助", 4),
        ("要求解决", 4),
        ("请求", 3),
        ("恳请", 3),
        ("帮帮", 3),
        ("帮忙", 2),
        ("追回", 3),
        ("讨个说法", 3),
        ("至今没有", 2),
        ("至今未", 2),
        ("一直没有", 2),
        ("尽快", 1),
        ("请求立案", 3),
        ("希望能", 1),
        ("请帮", 3),
        ("要求", 2),
        ("要求尽快", 2),
        ("please help", 4),
        ("help me", 3),
        ("request", 2),
    ),
    L.PRAISE: (
        ("表扬", 4),
        ("感谢", 4),
        ("锦旗", 4),
        ("点赞", 4),
        ("致谢", 4),
        ("感激", 3),
        ("谢谢", 3),
        ("好警察", 3),
        ("热心", 2),
        ("耐心", 1),
        ("thank", 4),
        ("praise", 4),
    ),
}
MIN_SCORE = 2.0

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
POSTS = (
    "值班民警|办案民警|社区民警|户籍民警|副所长|所长|教导员|指导员|副队长|队长|警长|科长|民警|辅警|协警|交警|"
    "刑警|特警|巡警|网警|警察|警官"
)
_NAME = rf"[{SURNAMES}](?:某某|某|XX|xx|\*\*|[\u4e00-\u9fff]{{1,2}})"
# Characters that end a name: "民警王打了我" is 王, "民警张三把" is 张三.
NAME_STOPS = set("打把对说在不让骂将就和等也是的了要拒态用一又还却给向跟竟带称叫以因没很非都从私收索被与同及")
BADGE = re.compile(r"警号(?:是|为|:|：)?\s*((?:[0-9]\s*){6})(?![0-9])")
BADGE_POST = re.compile(rf"的?({POSTS})")
POST_THEN_NAME = re.compile(rf"({POSTS})\s*({_NAME})")
TITLES = "警官|副所长|所长|教导员|指导员|副队长|队长|警长"
NAME_THEN_POST = re.compile(rf"([{SURNAMES}](?:某某|某|[\u4e00-\u9fff]{{0,2}}?))({TITLES})")
# A post alone, where it points at one person (not "民警" or "警察" in general).
POST_ALONE = re.compile(rf"(值班民警|办案民警|社区民警|户籍民警|{TITLES}|辅警|协警|交警)")


@dataclass(frozen=True)
class Suggestion:
    """One suggested value, its confidence (0–1) and the words in the letter behind it."""

    value: str
    label: str
    confidence: float
    words: tuple[str, ...]


@dataclass(frozen=True)
class Officer:
    name: str
    badge: str
    post: str
    words: tuple[str, ...]


def normalise(text: str) -> str:
    """Full-width letters and digits to ASCII (警号１２３４５６ → 123456)."""
    return unicodedata.normalize("NFKC", text)


def _found(lowered: str, cue: Cue) -> str | None:
    """The words of the text that match the cue (None: no match). A pattern matches anywhere; an English
    cue only at the start of a word ("app" is not in "happen"), and a short one (APP, QQ) only as a
    whole word ("apply" is not "APP")."""
    if isinstance(cue, re.Pattern):
        match = cue.search(lowered)
        return match.group() if match else None
    if cue.isascii():
        end = r"\b" if len(cue) <= 4 else ""
        return cue if re.search(rf"\b{re.escape(cue.lower())}{end}", lowered) else None
    return cue if cue.lower() in lowered else None


def _ranked(text: str, cues: dict[str, tuple[tuple[Cue, float], ...]]) -> list[tuple[str, float, tuple[str, ...]]]:
    lowered = text.lower()
    scores = []
    for value, weighted in cues.items():
        found = [(words, weight) for cue, weight in weighted if (words := _found(lowered, cue)) is not None]
        score = sum(weight for _words, weight in found)
        if score:
            scores.append((value, score, tuple(words for words, _weight in found)))
    return sorted(scores, key=lambda row: row[1], reverse=True)


def _best(text: str, cues: dict[str, tuple[tuple[Cue, float], ...]], labels: Mapping[str, object]) -> list[Suggestion]:
    ranked = _ranked(normalise(text), cues)
    total = sum(score for _v, score, _w in ranked)
    return [
        Suggestion(value, str(labels[value]), round(score / total, 2), words)
        for value, score, words in ranked
        if score >= MIN_SCORE
    ]


# Police as the subject of the letter: then what they did (conduct, integrity) outweighs their own department.
POLICE_ACTOR = re.compile(r"民警|警察|警官|辅警|协警|交警|所长|队长|局长|教导员|指导员|\b(?:officers?|policem[ae]n)\b")
OVERSIGHT_WEIGHT = 2


def police_types(text: str) -> list[Suggestion]:
    """Police types the text points to, best first.

    When the text is about police (it names an officer or a post), the inspection and discipline cues
    count double: "刑警队长收受购物卡" is the discipline department's, not the criminal police's, and
    "民警酒驾" discipline's where "有人酒驾" is traffic's."""
    duties = duty_cues()
    cues = {value: words + duties.get(value, ()) for value, words in POLICE_TYPE_CUES.items()}
    if POLICE_ACTOR.search(normalise(text).lower()):
        cues = {
            value: tuple((w, weight * OVERSIGHT_WEIGHT) for w, weight in words)
            if value in (PoliceType.INSPECTION, PoliceType.DISCIPLINE)
            else words
            for value, words in cues.items()
        }
    return _best(text, cues, dict(PoliceType.choices))


def letter_types(text: str) -> list[Suggestion]:
    """Letter types the text points to, best first."""
    return _best(text, LETTER_TYPE_CUES, dict(LetterType.choices))


def _clean_name(name: str) -> str:
    for i, char in enumerate(name[1:], start=1):
        if char in NAME_STOPS:
            return name[:i]
    return name


def find_officer(text: str) -> Officer | None:
    """The officer the text names, by name, badge number or post (None: no officer named)."""
    text = normalise(text)
    words: list[str] = []
    badge = ""
    name, post = "", ""
    if found := BADGE.search(text):
        badge = re.sub(r"\s", "", found.group(1))
        words.append(found.group(0).strip())
        if after := BADGE_POST.match(text, found.end()):  # "警号123456的民警"
            post = after.group(1)
    if post:
        pass
    elif found := POST_THEN_NAME.search(text):
        post, name = found.group(1), _clean_name(found.group(2))
        words.append(post + name)
    elif found := NAME_THEN_POST.search(text):
        name, post = _clean_name(found.group(1)), found.group(2)
        words.append(found.group(0))
    elif found := POST_ALONE.search(text):
        post = found.group(1)
        words.append(post)
    if not (badge or name or post):
        return None
    return Officer(name=name, badge=badge, post=post, words=tuple(words))


def suggest_place(text: str, *, jurisdiction: str = "", stated: str = "") -> Suggestion | None:
    guess = guess_place(text, jurisdiction=jurisdiction, stated=stated)
    if guess is None:
        return None
    return Suggestion(guess.division.code, guess.division.name, guess.confidence, guess.words)


@dataclass(frozen=True)
class PreDispatch:
    """Everything the text suggests about one letter."""

    place: Suggestion | None
    police_type: Suggestion | None
    letter_type: Suggestion | None
    accused: Suggestion | None  # value: the unit's code
    officer: Officer | None


def pre_dispatch(letter: Letter) -> PreDispatch:
    """The suggestions for ``letter``: its text, read within its mailbox's jurisdiction and stated place."""
    owner = bureau_of(letter.mailbox.owner)
    text = f"{letter.subject}\n{letter.text}"
    kinds = letter_types(text)
    accused = None
    letter_type = kinds[0].value if kinds and kinds[0].value in ACCUSATION_TYPES else letter.letter_type
    near = place_bureau(letter.division_code) or owner
    if named := accused_named_in(text, letter_type=letter_type, near=near):
        accused = Suggestion(named.unit.code, str(named.unit), 0.8, (named.words,))
    types = police_types(text)
    return PreDispatch(
        place=suggest_place(text, jurisdiction=owner.division_code, stated=letter.division_code),
        police_type=types[0] if types else None,
        letter_type=kinds[0] if kinds else None,
        accused=accused,
        officer=find_officer(text),
    )
