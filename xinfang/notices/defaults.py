"""The declared wording of every notice, the legal articles behind them, and which decision makes which notice.

Official notices are always in Chinese, whatever the language of the person who prints them, so the
texts here are plain Chinese strings (not translated). The legal bases reuse the articles the product
already cites for its time limits (``deadlines.law.LEGAL_DEFAULTS``), so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.deadlines.law import LEGAL_DEFAULTS, Step
from xinfang.letters.lifecycle import Action
from xinfang.letters.models import RefusalReason
from xinfang.notices.models import NoticeKind


def _article(step: Step) -> str:
    """The Chinese half of the source the product cites for ``step`` (《信访工作条例》…；《信访条例》…)."""
    return LEGAL_DEFAULTS[step].source.split(" / ")[0]


@dataclass(frozen=True)
class Wording:
    title: str
    series: str
    opening: str
    closing: str
    legal_basis: str
    rights: str = ""


OPENING = "您于{{ received }}提出的信访事项（信件编号 {{ tracking_number }}）收悉。"

DEFAULTS: dict[str, Wording] = {
    NoticeKind.ACCEPTANCE: Wording(
        "受理告知书",
        "告",
        OPENING + "经审查，该事项属于本机关职权范围，本机关决定予以受理。",
        "特此告知。",
        _article(Step.ACCEPTANCE),
        "本机关将依法办理，并于 {{ due }} 前出具处理意见书。",
    ),
    NoticeKind.NON_ACCEPTANCE: Wording(
        "不予受理告知书",
        "告",
        OPENING + "经审查，本机关决定不予受理，理由如下：",
        "特此告知。",
        _article(Step.ACCEPTANCE),
        "",
    ),
    NoticeKind.REFERRAL: Wording(
        "告知书",
        "告",
        OPENING + "经审查，该事项不属于本机关职权范围。",
        "特此告知。",
        _article(Step.ACCEPTANCE),
        "请您向 {{ organ }} 提出。",
    ),
    NoticeKind.EXTENSION: Wording(
        "延期办理告知书",
        "告",
        OPENING + "因情况复杂，经本机关负责人批准，该事项的办理期限适当延长。",
        "特此告知。",
        _article(Step.EXTENSION),
        "办理期限延长 {{ days }} 日，本机关将于 {{ due }} 前出具处理意见书。",
    ),
    NoticeKind.REPLY: Wording(
        "信访事项处理意见书",
        "处",
        OPENING + "本机关经调查核实，现提出处理意见如下：",
        "",
        _article(Step.REPLY),
        "如对本处理意见不服，可以自收到本意见书之日起 {{ days }} 日内（{{ due }} 前）请求 {{ organ }} 复查。",
    ),
    NoticeKind.REVIEW: Wording(
        "信访事项复查意见书",
        "复查",
        OPENING + "您不服原处理意见，请求复查。本机关经复查，提出复查意见如下：",
        "",
        _article(Step.REVIEW_ANSWER),
        "如对本复查意见不服，可以自收到本意见书之日起 {{ days }} 日内（{{ due }} 前）向 {{ organ }} 请求复核。",
    ),
    NoticeKind.REEXAM: Wording(
        "信访事项复核意见书",
        "复核",
        OPENING + "您不服复查意见，请求复核。本机关经复核，提出复核意见如下：",
        "",
        _article(Step.REEXAM_ANSWER),
        "本复核意见为最终意见。信访人对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理。",
    ),
}

# The extra article behind a reason for not accepting, printed after the general one.
REFUSAL_ARTICLES: dict[str, str] = {
    RefusalReason.COURTS: "《信访工作条例》（2022）第三十一条；《信访条例》（2005）第十四条第二款",
    RefusalReason.CONCLUDED: _article(Step.REEXAM_ANSWER),
}

# What a refusal for these reasons tells the writer to do instead (always printed, not editable).
REFUSAL_ROUTES: dict[str, str] = {
    RefusalReason.COURTS: "请依照有关法律、行政法规规定的程序，通过诉讼、仲裁、行政复议等法定途径向有关机关提出。",
    RefusalReason.NOT_POLICE: "请向有权处理的机关提出。",
}

# The decisions that make a notice. An extension makes one only when approved.
KIND_BY_ACTION: dict[str, str] = {
    Action.ACCEPT: NoticeKind.ACCEPTANCE,
    Action.REFUSE: NoticeKind.NON_ACCEPTANCE,
    Action.REFER: NoticeKind.REFERRAL,
    Action.DECIDE_EXTENSION: NoticeKind.EXTENSION,
    Action.APPROVE_REPLY: NoticeKind.REPLY,
    Action.REPLY_DIRECTLY: NoticeKind.REPLY,
    Action.ANSWER_REVIEW: NoticeKind.REVIEW,
    Action.ANSWER_REEXAM: NoticeKind.REEXAM,
}

# Province-level abbreviations (by the first two digits of the division code), for default organ codes.
PROVINCE_ABBREVIATIONS: dict[str, str] = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵",
    "53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新", "66": "兵",
    "71": "台", "81": "港", "82": "澳",
}  # fmt: skip
