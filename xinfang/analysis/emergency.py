"""Does a letter describe an emergency happening now? (SPEC §3: the platform is "not for emergencies".)

The portal stops such a letter with "call 110 now" before it is submitted, the seat's call form
warns the agent as they type, and every letter that arrives by any channel is read once at
``letters.services.letter_submit``: a flagged letter goes red to the top of the front desk.
docs/analysis.md has the method, the corpus and the measured figures.

How a text is read (weighted cue rules, so every flag can be explained by the words that raised it):
1. The text is folded (``analysis.normalise``: NFKC, Traditional to Simplified, lower case) and
   cut into sentences (。！？；… and line breaks) and clauses (，、：).
2. Cues are found in the folded text: *danger* (violence, weapons, fire, smoke, gas, kidnapping,
   confinement, a missing child, suicide, a crash with people trapped, a crowd fight, being
   followed, a break-in), *now* (正在, 现在, 刚刚, 还在, 门外, 拿着…, "is …-ing", 而家, 喺度…),
   *plea* (快来, 请马上派, send the police), and the markers that take an event out of the
   present: *past* (去年, 昨晚, 那天, ago), *habit* (经常, 多次), *hypothetical* (如果, 万一, if),
   *question* (请问, 怎么办, what should I do), *complaint* about handling (出警, 不立案),
   *praise* (感谢, 锦旗, thank), *resolved* (已经被抓, 火灭了, is safe now).
3. Scope: a past or habit marker rules out its clause and the clauses after it in the sentence,
   until a clause that says *now*. A hypothetical or praise rules out its sentence; a question
   or complaint does too unless the sentence also says *now* strongly (正在, 现在, 还在…). A
   negation just before a danger word (没有, 不是, not) drops that word. A resolution rules out
   its sentence and every sentence before it.
4. A sentence flags when a danger word it keeps meets a now or plea cue it keeps; a danger word
   of a state (fire, gas, missing, kidnapped, trapped) flags on its own when followed by 了
   (着火了, 孩子不见了); a danger sentence also flags when the sentence before or after it pleads
   for help. A loose word (救命 about paperwork, 急死了, 杀人不见血) is no danger word at all.
"""

# ruff: noqa: E501 (the cue tables are regular expressions: one alternation per line reads better than one cut up)
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import StrEnum

from xinfang.analysis.normalise import fold


class Cue(StrEnum):
    DANGER = "danger"
    STATE = "state"  # a danger that is a state: 着火了, 孩子不见了 read as now
    NOW = "now"
    STRONG_NOW = "strong_now"
    PLEA = "plea"
    PAST = "past"
    HYPOTHETICAL = "hypothetical"
    QUESTION = "question"
    COMPLAINT = "complaint"
    PRAISE = "praise"
    RESOLVED = "resolved"


PEOPLE = "我|你|他|她|人|孩子|小孩|娃|老婆|媳妇|妻子|老公|丈夫|妈|爸|老人|儿子|女儿|我们|佢|伊|俺|阿拉"
WEAPONS = "剪刀|酒瓶|啤酒瓶|凳子|菜刀|砍刀|尖刀|匕首|水果刀|西瓜刀|刀子|刀|枪|斧头|斧子|铁棍|木棍|棍子|钢管|铁锹|锤子|汽油|硫酸|砖头"
HOLD = "攥|拿|持|举|提|握|挥|抄起|掏出|亮出|拎|揸|带着|拿住|拎住|揸住"

CHINESE: dict[Cue, str] = {
    Cue.DANGER: "|".join(
        [
            # violence
            r"(?:殴打|暴打|毒打|痛打|拳打脚踢|往死里打|打得|施暴|家暴|行凶|砍伤|捅伤|刺伤|掐住|掐我|掐她|勒住|按在地上)",
            r"(?:在|正|再|又|还|要|狂|一直|不停地?|使劲)打(?!电话|听|扫|工|针|印|算|游戏|球|牌|麻将|卡|车|官司|招呼)",
            rf"打(?:{PEOPLE})(?!电话)",
            r"(?:锤|捶|揍|踹|扇|踢|砍|捅|抽|勒|掐|烫|咬)(?:我|他|她|人|孩子|门)|打紧",
            r"(?:全|都)是血|一身血|满脸血|满身是血|流了?(?:好多|很多)血|出了?(?:好多|很多)血|晕倒|昏倒|叫不醒|口吐白沫|抽搐",
            r"(?:要|想|扬言|威胁要?|说要)(?:杀|弄死|砍死|打死|捅死|烧死|烧了|炸)|杀了(?:我|你|他|她)|杀人了|弄死(?:我|你)",
            r"强奸|性侵|猥亵|非礼|抢劫|抢包|抢钱|持刀抢",
            # weapons
            rf"(?:{HOLD})着?(?:一把|把|根|支)?(?:{WEAPONS})|持刀|持枪|开枪|枪声|动刀|刀架|菜刀|砍刀|尖刀|匕首|西瓜刀|斧头|硫酸",
            # fire, smoke, gas, explosion
            r"(?:全是|都是|好多|很多|很大的?|浓|黑|冒|起)烟|烟雾|烟味很[大重浓]|呛得|着火|著火|起火|失火|火灾(?!隐患|预防|演练|保险|防范)|火烛|大火|烧起来|浓烟|冒烟|黑烟|烟很大|好大烟|煤气味|燃气味|(?:煤气|燃气|天然气)(?:泄漏|泄露|泻漏|漏)|漏气|爆炸|炸了",
            # kidnapping, confinement
            r"被[^,。]{0,8}?(?:拉走|带走|抱走|拖走|抢走|绑走|拽走|抓走|押走|(?:抱|拽|拖|拉|塞|押|推|抓)(?:上|进)了?[^,。]{0,6}车)|绑架|绑驾|绑走|劫持|人质|拐走|拐卖|抢走(?:孩子|小孩|我)|强行(?:带走|拉走|拖)|拖上车|拽上车|塞进车|拉上车",
            r"被关(?:起来|在)|关在(?:屋|房|里)|被锁在|锁在(?:屋|房|里|家)|锁住|反锁|被困|困在|困住|出不去|出不来|出唔到|出唔去|不让[^,。]{0,2}?(?:出门|出去|走|离开)|绑在|捆在|绑住|捆住|囚禁|拘禁|堵在[^,。]{0,4}?(?:家|屋|门|房|里)",
            # missing child
            r"(?:孩子|小孩|儿子|女儿|娃|宝宝|孙子|孙女|细路|细佬|细妹|个仔|个女|老人)[^,。]{0,8}?(?:不见|找不到|丢了|走丢|唔见|失踪|没回家|没有回家|联系不上|失联)|找不到(?:孩子|小孩|儿子|女儿|娃|宝宝)|走失|失踪",
            # suicide
            r"自杀|自刹|跳楼|跳河|跳江|跳桥|割腕|喝农药|喝了农药|吃了安眠药|上吊|不想活|活不下去|寻死|轻生|遗书|(?:站|坐|爬)(?:在|上|到)[^,。]{0,4}?(?:楼顶|天台|桥上|窗台|栏杆)|掉(?:进)?(?:水|河|江|湖)里|落水|溺水",
            # crash with people trapped, injured
            r"车祸|撞车|翻车|撞了人|撞人|卡在车里|压在车下|被压|流了好多血|流血|满身是血|昏迷|不省人事|没有呼吸|没气了",
            # crowd fight
            r"打群架|群殴|聚众斗殴|斗殴|械斗|打起来|打交|干仗|一群人(?:在|围)",
            # followed, break-in
            r"撬[^,。]{0,5}?(?:门|窗|锁)|跟踪|跟宗|根踪|根着我|尾随|跟着我|跟住我|一直跟|盯着我|撬门|撬锁|撬窗|闯进|闯入|破门|砸门|踹门|撞门|翻窗进|爬窗|入室|有人进了?我家|砸东西|在砸|乱砸",
        ]
    ),
    Cue.STATE: r"(?:着火|著火|起火|失火|火灾|火烛|冒烟|漏气|泄漏|泄露|爆炸|不见|唔见|找不到|没回家|拉走|抱走|带走|抓走|丢|失踪|走丢|绑架|绑走|拐走|困住|被困|锁住|反锁|晕倒|昏迷|撞车|翻车|车祸|喝了农药|割腕|上吊|吃了安眠药|闯进来|打起来)(?:了|啦|咗|喇|嘞)",
    Cue.STRONG_NOW: r"正在|正再|现在|还在|仍在|一直在|此刻|此时|这会儿?|眼下|而家|依家|宜家|喺度|辣海|马上|立刻|立即",
    Cue.NOW: "|".join(
        [
            r"刚刚|刚才|刚(?!好|需|性|满|到期)|就在|正(?=[打砸砍捅追拿举])|(?:几|两|三|五|十|十几|二十)分钟(?:前|了)|半(?:个)?小时(?:前|了)",
            r"今晚|今天晚上|今夜|今天|今早|这两天|现场",
            rf"(?:{HOLD}|跟|堵|围|追|盯|守|掐|按|锁)着|(?:{HOLD})住|(?:蹲|等|站|躲|藏|拽|抓|拖)着",
            r"已经(?:过了)?[^,。]{0,4}(?:小时|钟头|分钟)|(?:好|很|非常)?害怕|好怕|吓坏了|一直根|闻到|听到|听见|看到|看见|(?:个|多)?(?:小时|钟头|分钟)了|在(?:哭|喊|叫|尖叫|流血|冒|烧|敲|撬|踹|追|吵|骂|闹)|一直(?:跟|盯|追|敲|打|砸)",
            r"有人(?:在|正)?(?:开枪|砍人|捅人|放火|持刀|拿刀|打人|砸|撬|闯)|被困|困在|被关|关在|出不去|出不来|出唔到|不让[^,。]{0,2}?(?:出门|出去|走|离开)|叫不醒|(?:站|坐|爬)(?:在|上|到)(?:楼顶|天台|桥上|窗台|栏杆)",
            r"在(?:我)?(?:家)?(?:楼下|门口|门外|楼道|窗外)|门口|门外|窗外|楼道里|楼下有人|在外面|在砸|在撬|躲在|藏在|躲进|锁在",
            r"又(?:来|在|拿|打|砸|闯|开始|喝)|再打|还不走|不肯走|没走",
        ]
    ),
    Cue.PLEA: r"快来|快派|快点来|快过来|快啲|快d|赶快|赶紧|尽快|请派|派(?:民警|警察|人)(?:过来|来)|速来|速派|来人|救救|求求|快救|快报警|帮帮我|救命|过嚟|马上派|马上来|立即派|救下|出警吧|报警(?=!)",
    Cue.PAST: "|".join(
        [
            r"上个?月|上个?星期|上周|上礼拜|去年|前年|昨天|昨晚|昨日|昨夜|前天|前几天|前些天|那天|当天|当时|当年|那年|那次|那晚|以前|曾经|之前|(?:年|月|周|个星期|天)(?:以)?前",
            r"多年|早年|小时候|(?:19|20)\d\d年|\d{1,2}月\d{1,2}[日号]|后来|事后|至今|事发后|过去了|上次|去年底|年初|月初|月底",
            r"经常|总是|常常|多次|好几次|每次|屡次|一贯|长期",
        ]
    ),
    Cue.HYPOTHETICAL: r"气话|开玩笑|说说而已|夸张|比喻|如果|万一|假如|假设|要是|若是|倘若|一旦|假使|的话|防范|预防|提醒大家|宣传|演练|培训|讲座|电影|电视剧|小说|游戏里",
    Cue.QUESTION: r"怎么办|咋办|点算|该怎么|如何|怎样|怎么处理|请问|是否|能否|可否|可不可以|咨询|想了解|想问|应该找|流程|手续|法律规定",
    Cue.COMPLAINT: r"出警|处警|立案|不作为|推诿|推脱|处理不公|态度|投诉|举报|反映|迟迟|敷衍|不管不问|没人管|不予|办案|调解|赔偿|信访|复查|答复",
    Cue.PRAISE: r"感谢|谢谢|表扬|锦旗|点赞|致谢|赞扬|称赞|及时赶到|成功解救|救了(?:我|我们|他|她|孩子)|救出|好民警|辛苦了|感激",
    Cue.RESOLVED: r"已经?被?(?:抓|控制|带走|扑灭|灭了|找到|送医|平息|处理好|解决|救出|脱险|散了|跑了|走了)|已(?:被)?(?:抓获|控制|扑灭|找到|平安)|火灭了|找到了|没事了|平安了|被(?:民警|警察)(?:带走|控制|抓)",
}

ENGLISH: dict[Cue, str] = {
    Cue.DANGER: "|".join(
        [
            r"\b(?:beat(?:s|ing)?|hit(?:s|ting)?|punch(?:es|ing)?|kick(?:s|ing)?|chok(?:e|es|ing)|strangl\w*|slapp?\w*) (?:me|him|her|us|them|my \w+|the \w+)",
            r"\b(?:beaten|being attacked|attack(?:s|ing)? (?:me|us|him|her)|assault\w*|stab\w*|hurting (?:me|us|him|her)|rap(?:e|ed|ing)\b)",
            r"\b(?:kill|murder|hurt) (?:me|us|you|him|her|them|my \w+|myself|himself|herself)\b|going to kill|gonna kill|threaten\w* to",
            r"\b(?:knife|knives|gun|guns|pistol|machete|axe|hammer|shots?|shooting|gunpoint|knifepoint|weapon)\b",
            r"\b(?:on fire|fire\b(?! (?:safety|inspection|drill|department|brigade|station|exit|extinguisher|service|code|permit|hazard))|smoke|smoking from|burning|flames?|gas leak|smell(?:s)? (?:of )?gas|explosion|exploded)",
            r"\b(?:kidnap\w*|abduct\w*|hostage\w*|dragged \w+ into|forced (?:her|him|me) into|snatched)",
            r"\b(?:locked (?:me|us|her|him) in|locked in|trapped|can(?:'t|not) get out|won'?t let (?:me|us|her|him) (?:leave|out|go)|held against)",
            r"\b(?:missing|can(?:'t|not) find (?:my|our) (?:son|daughter|child|kid|baby|boy|girl)|lost (?:my|our) (?:son|daughter|child|kid))",
            r"\b(?:suicide|end (?:my|his|her) life|jump(?:ing)? off|overdose\w*|don'?t want to live|wants? to die|taken [\w ]{0,20}?(?:pills|overdose)|swallowed|on the ledge|on the roof edge)",
            r"\b(?:(?:car|bus|truck|road|traffic|head-on) crash|crash(?:ed)? (?:into|on|at)|collided|collision|pinned|bleeding|unconscious|not breathing)\b",
            r"\b(?:brawl\w*|fistfight|(?:gang|mass|street|big) fight|are fighting|fighting in|mob)\b",
            r"\b(?:follow(?:ing|ed) (?:me|us|my)|stalk\w*|break(?:ing)? in|broke in(?:to)?|breaking into|intruder|someone (?:is )?in (?:my|our) (?:house|home|flat|apartment)|smash\w* (?:\w+ ){0,3}(?:door|window|glass))",
        ]
    ),
    Cue.STATE: r"\b(?:is|are|'s|'re) (?:missing|on fire|trapped|gone)\b|has been (?:kidnapped|taken|abducted)",
    Cue.STRONG_NOW: r"\bright now\b|(?:was|has|have|had) just\b|just (?:now|happened)|at this moment|\bcurrently\b|at the moment|as we speak|as i (?:write|type)",
    Cue.NOW: r"\bnow\b|\bstill\b|\bsays\b|(?:is|are|am) alone|\bi (?:can )?(?:hear|see|smell)\b|\b(?:is|are|am|'s|'re|i'm|keeps?) (?:\w+ )?\w+ing\b|\bjust\b|(?:few|\d+|two|five|ten|twenty) (?:minutes?|mins?) (?:ago|now)|tonight|outside (?:my|our|the) \w+|(?:has|have) been \w+ing|all day|\bagain\b|\bhere\b",
    Cue.PLEA: r"\bhelp\b|\bplease (?:come|send|hurry)|send (?:the )?(?:police|someone|an officer|officers|help)|\bhurry\b|come quick|call (?:the )?police|\bsos\b|\burgent\b",
    Cue.PAST: r"last (?:week|month|year|night|summer|winter|spring|autumn|time)|yesterday|\bago\b|in (?:19|20)\d\d|back in|years? ago|previously|used to|\boften\b|\balways\b|many times|at the time|that (?:day|night)|\bonce\b|\bwas\b|\bwere\b|\bhad\b",
    Cue.HYPOTHETICAL: r"\bif\b|\bin case\b|\bsuppose\b|\bwhat if\b|\bwould\b|\bdrill\b|\bmovie\b|\bnovel\b|\bgame\b|safety tips?",
    Cue.QUESTION: r"what should|how (?:do|can|should|to)|what (?:to do|is the procedure)|\bis it legal\b|\bcan i\b|\bcould you tell\b|\bi'd like to ask\b|\binquir\w*|\benquir\w*",
    Cue.COMPLAINT: r"\bcomplain\w*|\bofficers? (?:took|did|refused|never)|\brefused to\b|\bslow to respond\b|\bfile a report\b|\bcase\b",
    Cue.PRAISE: r"\bthank\w*|\bgrateful\b|\bpraise\b|\bcommend\w*|\brescued\b|\bsaved (?:my|our|us|me)\b|\bappreciat\w*",
    Cue.RESOLVED: r"\b(?:was|were|has been|have been) (?:arrested|caught|found|rescued|put out|detained)|is safe now|are safe now|\bput out\b|under control|\bwas found\b",
}

# Strong markers rule out a sentence whatever it says; weak ones yield to a strong *now* in it.
STRONG_BLOCKS = (Cue.HYPOTHETICAL, Cue.PRAISE)
WEAK_BLOCKS = (Cue.QUESTION, Cue.COMPLAINT)
NEGATION = re.compile(
    r"(?:没有|没|未|并未|未曾|从未|不是|并非|不会|不再|并没|\bnot|\bnever|n't|\bno longer|\bno)\W{0,2}\w{0,2}\W?$"
)
SENTENCE_END = re.compile(r"[。!?;\n…]+|\.{2,}|\.(?=\s|$)")
CLAUSE_END = re.compile(r"[,、:]")
CLAUSE_END_ENGLISH = re.compile(r"[,、:]|\b(?:and|but|so)\b")

_CHINESE = {cue: re.compile(pattern) for cue, pattern in CHINESE.items()}
# Run only on a text with Latin letters: scanning Chinese for them would cost more than all else.
_ENGLISH = {cue: re.compile(pattern) for cue, pattern in ENGLISH.items()}
_LATIN = re.compile("[a-z]{2}")


@dataclass(frozen=True)
class Reading:
    """What :func:`read` found: ``words`` are the cues that raised the flag, as the writer typed them."""

    flagged: bool
    words: tuple[str, ...] = ()


@dataclass
class _Clause:
    start: int
    end: int
    sentence: int
    cues: dict[Cue, list[tuple[int, int]]]

    def has(self, *cues: Cue) -> bool:
        return any(self.cues.get(cue) for cue in cues)


def read(text: str) -> Reading:
    view = fold(text or "")
    clauses = _clauses(view.text)
    _place_cues(view.text, clauses)
    cued = {clause.sentence for clause in clauses if clause.cues}  # a sentence without cues cannot matter
    sentences: dict[int, list[_Clause]] = {}
    for clause in clauses:
        if clause.sentence in cued:
            sentences.setdefault(clause.sentence, []).append(clause)
    kept = _kept_clauses(view.text, sentences)
    spans: list[tuple[int, int]] = []
    for index in sorted(kept):
        spans += _flagging_spans(index, kept)
    if not spans:
        return Reading(False)
    words: list[str] = []
    for start, end in _merged(spans):
        begin, stop = view.span(start, end)
        word = " ".join(text[begin:stop].split())
        if word.lower() not in {w.lower() for w in words}:
            words.append(word)
    return Reading(True, tuple(words))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping cues as one word (正在 and 在打 in 正在打)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def emergency_words(text: str) -> list[str]:
    """The words that make ``text`` read like an emergency happening now; empty when it does not."""
    return list(read(text).words)


def _clauses(folded: str) -> list[_Clause]:
    clauses: list[_Clause] = []
    sentence_start = 0
    cuts = CLAUSE_END_ENGLISH if _LATIN.search(folded) else CLAUSE_END
    for sentence, match in enumerate([*SENTENCE_END.finditer(folded), None]):
        sentence_end = match.start() if match else len(folded)
        start = sentence_start
        for cut in [*cuts.finditer(folded, sentence_start, sentence_end), None]:
            end = cut.start() if cut else sentence_end
            clauses.append(_Clause(start, end, sentence, {}))
            start = cut.end() if cut else end
        sentence_start = match.end() if match else len(folded)
    return clauses


def _place_cues(folded: str, clauses: list[_Clause]) -> None:
    starts = [clause.start for clause in clauses]
    english = _LATIN.search(folded) is not None
    first = (Cue.DANGER, Cue.STATE, Cue.RESOLVED)
    whole = [(0, len(folded))]
    for cue in first:
        _place(cue, english, folded, clauses, starts, whole)
    # The other cues matter only around a danger: read just those sentences (and their neighbours).
    dangers = {c.sentence for c in clauses if Cue.DANGER in c.cues or Cue.STATE in c.cues}
    sentences = {index + d for index in dangers for d in (-1, 0, 1)}
    bounds: dict[int, tuple[int, int]] = {}
    for c in clauses:
        if c.sentence in sentences:
            start, end = bounds.get(c.sentence, (c.start, c.end))
            bounds[c.sentence] = (min(start, c.start), max(end, c.end))
    for cue in Cue:
        if cue not in first:
            _place(cue, english, folded, clauses, starts, list(bounds.values()))


def _place(
    cue: Cue, english: bool, folded: str, clauses: list[_Clause], starts: list[int], ranges: list[tuple[int, int]]
) -> None:
    patterns = [p for p in (_CHINESE.get(cue), _ENGLISH.get(cue) if english else None) if p is not None]
    for pattern in patterns:
        for begin, stop in ranges:
            for match in pattern.finditer(folded, begin, stop):
                if match.start() == match.end():
                    continue
                clause = clauses[max(bisect.bisect_right(starts, match.start()) - 1, 0)]
                if cue is Cue.DANGER and NEGATION.search(folded, max(clause.start, match.start() - 6), match.start()):
                    continue
                clause.cues.setdefault(cue, []).append(match.span())


def _kept_clauses(folded: str, sentences: dict[int, list[_Clause]]) -> dict[int, list[_Clause]]:
    """The clauses of each sentence that still speak of the present (step 3 of the module docstring)."""
    resolved_at = max(
        (index for index, clauses in sentences.items() if any(c.has(Cue.RESOLVED) for c in clauses)), default=-1
    )
    kept: dict[int, list[_Clause]] = {}
    for index, clauses in sentences.items():
        if index <= resolved_at or any(c.has(*STRONG_BLOCKS) for c in clauses):
            continue
        strong_now = any(c.has(Cue.STRONG_NOW, Cue.PLEA) for c in clauses)
        if not strong_now and any(c.has(*WEAK_BLOCKS) for c in clauses):
            continue
        in_past = False
        for clause in clauses:
            if clause.has(Cue.STRONG_NOW, Cue.PLEA):
                in_past = False
            elif clause.has(Cue.PAST):
                in_past = True
            elif clause.has(Cue.NOW):
                in_past = False
            if not in_past:
                kept.setdefault(index, []).append(clause)
    return kept


def _spans(clauses: list[_Clause], *cues: Cue) -> list[tuple[int, int]]:
    return [span for clause in clauses for cue in cues for span in clause.cues.get(cue, [])]


def _flagging_spans(index: int, kept: dict[int, list[_Clause]]) -> list[tuple[int, int]]:
    clauses = kept[index]
    danger = _spans(clauses, Cue.DANGER)
    state = _spans(clauses, Cue.STATE)
    now = _spans(clauses, Cue.STRONG_NOW, Cue.NOW, Cue.PLEA)
    if danger and now:
        return danger + now
    if state:
        return danger + state
    pleas = _spans(kept.get(index - 1, []) + kept.get(index + 1, []), Cue.PLEA)
    if danger and pleas:
        return danger + pleas
    return []
