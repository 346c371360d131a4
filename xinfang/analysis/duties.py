"""What each police-type department is responsible for, as the events a letter tells (docs/analysis.md, section 2).

Many letters name no department and no cue word of one (交警, 户口, 吸毒): they tell what happened —
a crash, a newborn to register, a stolen motorbike, a hacked account, an officer who runs a shop on
the side. The kind of police follows from the law that gives each department its duty, so the
vocabulary below is grouped by that law and lists the events it puts in the department's hands.
These cues weigh less than the lexicon's (``suggest.POLICE_TYPE_CUES``: 2 for an event only that
department handles, 1 for one that also happens elsewhere), so a word that names the department
still decides; they are added to it by ``suggest.police_types``.
"""

from __future__ import annotations

import re

from xinfang.orgs.choices import PoliceType

T = PoliceType
Cue = str | re.Pattern[str]
_ = r"[^，。；！？,.;!?\s]{0,6}?"  # a few characters of one clause between two words of one event
# Cues are matched in the lower-cased text (``suggest._found``): patterns are written in lower case.

# (the law that gives the duty, ((cue, weight), …)) per police type.
DUTIES: dict[str, tuple[str, tuple[tuple[Cue, float], ...]]] = {
    # Road traffic accidents, violations, vehicles and drivers on the road.
    T.TRAFFIC: (
        "《中华人民共和国道路交通安全法》第五条、第七十条、第八十七条",
        (
            ("车祸", 2), ("追尾", 2), ("剐蹭", 2), ("撞车", 2), ("肇事", 2), ("逃逸", 1), ("被撞", 2),
            (re.compile(rf"(?:车|司机){_}撞"), 2), ("撞了我", 1), ("违停", 2), ("乱停", 2), ("违法停车", 2),
            ("无证驾驶", 2), ("无牌", 2), ("套牌", 2), ("黑车", 2), ("渣土车", 2), ("超载", 2), ("斑马线", 2),
            ("路口", 1), ("高速", 1), ("开车", 1), ("司机", 1), ("货车", 1), ("轿车", 1),
            ("car accident", 2), ("crash", 2), ("hit by a", 2), ("hit-and-run", 2), ("parking", 2),
            ("driver", 1), ("road", 1),
        ),
    ),
    # Registering births, deaths, moves and changes of the household register; identity cards.
    T.HOUSEHOLD: (
        "《中华人民共和国户口登记条例》第三条、第七条至第十七条；《中华人民共和国居民身份证法》第八条",
        (
            ("上户", 2), ("报户", 2), ("入户", 2), ("销户", 2), ("分户", 2), ("集体户", 2), ("投靠", 2),
            ("随迁", 2), ("新生儿", 1), ("出生证", 2), ("死亡注销", 2), ("补办身份", 2), ("换领", 1),
            ("临时身份", 2), ("姓名变更", 2), ("改姓", 2), ("birth registration", 2), ("household register", 2),
            ("identity card", 2), ("change my name", 2), ("surname", 1),
        ),
    ),
    # Citizens leaving and entering the country; foreigners' stay.
    T.EXIT_ENTRY: (
        "《中华人民共和国出境入境管理法》第四条、第九条、第十二条、第三十条",
        (
            ("出境", 2), ("入境", 2), ("往来港澳", 2), ("赴台", 2), ("去香港", 1), ("去澳门", 1), ("留学", 1),
            ("外籍", 2), ("老外", 2), ("永久居留", 2), ("旅行证", 2), ("回乡证", 2), ("exit permit", 2),
            ("travel document", 2), ("foreigner", 2), ("permanent residence", 2), ("Hong Kong", 1), ("Macau", 1),
        ),
    ),
    # Gambling, prostitution, fights, disturbances, hotels and venues, knives and fireworks.
    T.PUBLIC_ORDER: (
        "《中华人民共和国治安管理处罚法》第二十三条至第七十六条；《娱乐场所管理条例》；《旅馆业治安管理办法》",
        (
            ("麻将", 1), ("赌", 1), ("足浴", 2), ("按摩店", 2), ("洗浴", 2), ("KTV", 2), ("网吧", 2),
            ("旅馆", 1), ("出租屋", 1), ("群租", 2), ("管制刀具", 2), ("醉酒", 1), ("吵闹", 2), ("半夜", 1),
            ("摔东西", 2), ("砸东西", 2), ("推搡", 2), ("动手", 1), ("骚扰", 2), ("偷拍", 2), ("偷窥", 2),
            ("流浪狗", 2), ("装修", 1), ("放鞭炮", 2), ("gambling", 2), ("brothel", 2), ("loud", 2),
            ("harass", 2), ("dog", 2), ("neighbour", 1), ("neighbor", 1), ("drunk", 1),
        ),
    ),
    # Crimes against persons and property: theft, robbery, injury, missing persons, extortion.
    T.CRIMINAL: (
        "《中华人民共和国刑事诉讼法》第十九条（刑事案件的侦查由公安机关进行）；《中华人民共和国刑法》分则第四章、第五章",
        (
            ("偷", 1), ("被盗", 2), ("丢失", 1), ("扒手", 2), ("小偷", 2), ("撬", 2), ("抢", 1), ("砍", 2),
            ("捅", 2), ("刀", 1), ("重伤", 2), ("轻伤", 2), ("伤情鉴定", 2), ("尸体", 2), ("性侵", 2),
            ("猥亵", 2), ("敲诈", 2), ("勒索", 2), ("纵火", 2), ("走失", 1), ("下落不明", 2), ("被骗", 1),
            ("stole", 2), ("steal", 2), ("robbery", 2), ("mugged", 2), ("assault", 2), ("murder", 2),
            ("missing", 1), ("kidnap", 2), ("extort", 2), ("pickpocket", 2), ("break-in", 2), ("broke into", 2),
            ("snatch", 2),
        ),
    ),
    # Information networks: intrusion, stolen accounts, online fraud and rumours, personal data.
    T.CYBER: (
        "《中华人民共和国网络安全法》第八条、第二十七条、第四十四条",
        (
            ("盗号", 2), (re.compile(rf"(?:账号|帐号|微信|qq|支付宝|邮箱){_}被盗"), 3), ("被盗号", 2),
            ("木马", 2), ("病毒", 1), ("入侵", 2), ("验证码", 1), ("链接", 1), ("二维码", 1), ("网购", 1),
            ("游戏", 1), ("抖音", 1), ("公众号", 1), ("人肉", 2), ("网暴", 2), ("hacked", 2), ("hacker", 2),
            ("phishing", 2), ("account", 1), ("password", 1), ("WeChat", 1), ("link", 1), ("app", 1),
        ),
    ),
    # Crimes in the market economy: fund-raising, pyramid selling, company and contract fraud.
    T.ECONOMIC: (
        "《公安机关办理经济犯罪案件的若干规定》第二条；《中华人民共和国刑法》分则第三章",
        (
            ("吸收存款", 2), ("返利", 2), ("原始股", 2), ("庞氏", 2), ("虚拟币", 2), ("老板跑路", 2), ("骗保", 2),
            ("偷税", 2), ("职务侵占", 2), ("挪用资金", 2), ("假冒", 1), ("假币", 2), ("商标", 1), ("公司", 1),
            ("合同", 1), ("investment", 2), ("pyramid", 2), ("embezzl", 2), ("shares", 1), ("company", 1),
        ),
    ),
    # Drugs: taking, selling, making, growing.
    T.NARCOTICS: (
        "《中华人民共和国禁毒法》第二条、第十二条、第三十一条",
        (
            ("摇头丸", 2), ("海洛因", 2), ("可卡因", 2), ("麻古", 2), ("笑气", 2), ("吸食", 2), ("白粉", 2),
            ("罂粟", 2), ("毒贩", 2), ("锡纸", 1), ("针头", 1), ("heroin", 2), ("cocaine", 2), ("ecstasy", 2),
            ("meth", 2), ("marijuana", 2), ("cannabis", 2), ("weed", 1), ("dealer", 1),
        ),
    ),
    # People held in custody: detention centres and their families' visits, money and parcels.
    T.DETENTION: (
        "《中华人民共和国看守所条例》第二条、第二十八条；《拘留所条例》第二条",
        (
            ("关押", 2), ("被关", 2), ("刑拘", 1), ("拘留", 1), ("关在", 1), ("生活费", 1),
            ("狱友", 2), ("号房", 2), ("custody", 2), ("detained", 2), ("jail", 2), ("inmate", 2),
        ),
    ),
    # Reviewing the legality of enforcement: reconsideration, compensation, decisions.
    T.LEGAL: (
        "《中华人民共和国行政复议法》；《中华人民共和国国家赔偿法》；《公安机关执法监督规定》",
        (
            ("复议", 2), ("行政诉讼", 2), ("撤销处罚", 2), ("赔偿", 1), ("决定书", 1), ("compensation", 2),
            ("appeal the", 1),
        ),
    ),
    # Officers' integrity: business on the side, money and gifts, personal gain from the office,
    # selling information, drink-driving, gambling.
    T.DISCIPLINE: (
        "《公安机关人民警察纪律条令》第八条至第二十五条",
        (
            ("当老板", 2), ("开公司", 2), ("开麻将馆", 2), ("开店", 1), ("放贷", 2), ("回扣", 2), ("干股", 2),
            ("承揽工程", 2), ("揽工程", 2), ("利用职务", 2), ("利用职权", 2), ("谋取", 2), ("谋私", 2),
            (re.compile(rf"查询{_}(?:卖|出售)"), 2), ("卖给", 1), ("喝了酒", 1), ("喝酒", 1), ("酒后", 1),
            ("警车", 1), ("公车私用", 2), ("购物卡", 2), ("宴请", 2), ("asked for money", 2),
            ("asked my company for money", 2), ("demanded money", 2), ("kickback", 2), ("side business", 2),
        ),
    ),
    # Officers' performance of duty and conduct: not answering, delaying, threatening, no papers.
    T.INSPECTION: (
        "《公安机关督察条例》第四条",
        (
            ("没人接", 2), ("不接电话", 2), ("没有消息", 1), ("没消息", 1), ("等通知", 1), ("拖延", 2),
            ("拖着", 2), ("迟迟", 1), ("威胁", 1), ("恐吓", 1), ("不出示", 2), ("没出示", 2), ("玩手机", 2),
            ("不穿警服", 2), ("ignored", 2), ("no reply", 2), ("never called back", 2), ("shouted", 2),
            ("threatened", 1),
        ),
    ),
}  # fmt: skip


def duty_cues() -> dict[str, tuple[tuple[Cue, float], ...]]:
    """The cues of every police type, without their laws."""
    return {police_type: cues for police_type, (_law, cues) in DUTIES.items()}
