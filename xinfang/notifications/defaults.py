"""The declared wording of every notification, in Chinese with English in the catalog.

Administrators override any of them per language (``NotificationTemplate`` in the admin). Texts
are Django templates rendered without HTML escaping; the variables are listed in
:data:`VARIABLES`. An ``sms`` text exists only for what a citizen is told by SMS: it names the
tracking number, the step and a link, never the writer's identity nor the letter's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.notifications.models import Kind


@dataclass(frozen=True)
class Wording:
    title: Promise
    body: Promise
    sms: Promise | None = None


VARIABLES = ("tracking_number", "link", "step", "reason", "due", "days", "unit", "organ", "outcome", "writers")

DEFAULTS: dict[str, Wording] = {
    Kind.RECEIPT: Wording(
        _("信件已收到"),
        _("您的信件已收到，信件编号 {{ tracking_number }}。我们将在 15 日内告知是否受理。查看进展：{{ link }}"),
        _("【公安信访】您的信件已收到，编号 {{ tracking_number }}。查看进展：{{ link }}"),
    ),
    Kind.ACCEPTED: Wording(
        _("信件已受理"),
        _("您的信件 {{ tracking_number }} 已受理，将依法办理并于 {{ due }} 前答复。查看：{{ link }}"),
        _("【公安信访】您的信件 {{ tracking_number }} 已受理。查看：{{ link }}"),
    ),
    Kind.NOT_ACCEPTED: Wording(
        _("信件不予受理"),
        _("您的信件 {{ tracking_number }} 不予受理。书面告知：{{ reason }} 查看：{{ link }}"),
        _("【公安信访】您的信件 {{ tracking_number }} 不予受理，书面告知请查看：{{ link }}"),
    ),
    Kind.REFERRED: Wording(
        _("请向有权机关提出"),
        _("您的信件 {{ tracking_number }} 反映的事项请向{{ organ }}提出。告知内容：{{ reason }} 查看：{{ link }}"),
        _("【公安信访】您的信件 {{ tracking_number }} 已告知向有权机关提出，详情请查看：{{ link }}"),
    ),
    Kind.EMERGENCY: Wording(
        _("已转 110 紧急处置"),
        _("您的信件 {{ tracking_number }} 反映的情况紧急，已转 110 处置。如情况仍在发生，请立即拨打 110。"),
        _("【公安信访】您的信件 {{ tracking_number }} 已转 110 处置。情况紧急请立即拨打 110。"),
    ),
    Kind.TRANSFERRED: Wording(
        _("信件已转办"),
        _("您的信件 {{ tracking_number }} 已转{{ unit }}办理。查看：{{ link }}"),
        _("【公安信访】您的信件 {{ tracking_number }} 已转{{ unit }}办理。查看：{{ link }}"),
    ),
    Kind.INFO_REQUESTED: Wording(
        _("请补充材料"),
        _("您的信件 {{ tracking_number }} 需要补充材料：{{ reason }} 请登录补充：{{ link }}"),
        _("【公安信访】您的信件 {{ tracking_number }} 需要补充材料，请登录查看：{{ link }}"),
    ),
    Kind.MESSAGE: Wording(
        _("承办单位给您留言"),
        _("您的信件 {{ tracking_number }} 有新留言：{{ reason }} 回复请登录：{{ link }}"),
        _("【公安信访】您的信件 {{ tracking_number }} 有新留言，请登录查看：{{ link }}"),
    ),
    Kind.EXTENDED: Wording(
        _("办理期限延长"),
        _(
            "您的信件 {{ tracking_number }} 办理期限延长 {{ days }} 天，新的答复期限为 {{ due }}。"
            "延期理由：{{ reason }} 查看：{{ link }}"
        ),
        _("【公安信访】您的信件 {{ tracking_number }} 答复期限延长至 {{ due }}，理由请查看：{{ link }}"),
    ),
    Kind.REPLIED: Wording(
        _("信件已答复"),
        _(
            "您的信件 {{ tracking_number }} 已答复： {{ reason }} "
            "请登录评价；如不服，可在 {{ due }} 前申请复查。查看：{{ link }}"
        ),
        _("【公安信访】您的信件 {{ tracking_number }} 已答复，请登录查看并评价：{{ link }}"),
    ),
    Kind.REVIEW_ANSWERED: Wording(
        _("复查意见"),
        _("您的信件 {{ tracking_number }} 复查意见： {{ reason }} 如不服，可在 {{ due }} 前申请复核。查看：{{ link }}"),
        _("【公安信访】您的信件 {{ tracking_number }} 已有复查意见，请登录查看：{{ link }}"),
    ),
    Kind.REEXAM_ANSWERED: Wording(
        _("复核意见（终结）"),
        _("您的信件 {{ tracking_number }} 复核意见： {{ reason }} 此为最终意见，同一事项不再受理。查看：{{ link }}"),
        _("【公安信访】您的信件 {{ tracking_number }} 已有复核意见，请登录查看：{{ link }}"),
    ),
    Kind.STEP: Wording(_("信件办理进展"), _("您的信件 {{ tracking_number }}：{{ step }}。查看：{{ link }}")),
    Kind.NEW_LETTER: Wording(
        _("新信件待受理"),
        _("信件 {{ tracking_number }} 已进入本单位受理队列，受理期限 {{ due }}。办理：{{ link }}"),
    ),
    Kind.INFO_SUPPLIED: Wording(
        _("信访人已补充材料"),
        _("信件 {{ tracking_number }} 的信访人已补充材料，请审查是否受理，期限 {{ due }}。办理：{{ link }}"),
    ),
    Kind.ASSIGNED: Wording(
        _("新转办信件"),
        _("信件 {{ tracking_number }} 已转本单位办理，期限 {{ due }}。办理：{{ link }}"),
    ),
    Kind.RETURNED: Wording(
        _("信件被退回"),
        _("信件 {{ tracking_number }} 被退回本单位，理由：{{ reason }} 请重新确定承办单位：{{ link }}"),
    ),
    Kind.APPROVE_REPLY: Wording(
        _("答复待审批"),
        _("信件 {{ tracking_number }} 的答复稿待您审批，答复期限 {{ due }}。审批：{{ link }}"),
    ),
    Kind.APPROVE_EXTENSION: Wording(
        _("延期申请待审批"),
        _("信件 {{ tracking_number }} 申请延期 {{ days }} 天，理由：{{ reason }} 审批：{{ link }}"),
    ),
    Kind.REPLY_REJECTED: Wording(
        _("答复稿被退回"),
        _("信件 {{ tracking_number }} 的答复稿被退回修改：{{ reason }} 办理：{{ link }}"),
    ),
    Kind.EXTENSION_DECIDED: Wording(
        _("延期申请已审批"),
        _("信件 {{ tracking_number }} 的延期申请{{ outcome }}，答复期限 {{ due }}。查看：{{ link }}"),
    ),
    Kind.REPORTED_BACK: Wording(
        _("已报告办理结果"),
        _("交办信件 {{ tracking_number }} 的承办单位报告了办理结果：{{ reason }} 查看：{{ link }}"),
    ),
    Kind.REVIEW_REQUESTED: Wording(
        _("复查申请"),
        _("信件 {{ tracking_number }} 的信访人申请复查，请在 {{ due }} 前答复。办理：{{ link }}"),
    ),
    Kind.REEXAM_REQUESTED: Wording(
        _("复核申请"),
        _("信件 {{ tracking_number }} 的信访人申请复核，请在 {{ due }} 前答复。办理：{{ link }}"),
    ),
    Kind.DUE_SOON: Wording(
        _("信件临近期限"),
        _("信件 {{ tracking_number }} 将于 {{ due }} 到期（{{ step }}），请抓紧办理：{{ link }}"),
    ),
    Kind.OVERDUE: Wording(
        _("信件已逾期"),
        _("信件 {{ tracking_number }} 已超过期限（{{ due }}），已自动督办，请立即办理：{{ link }}"),
    ),
    Kind.SUPERVISION: Wording(
        _("督办通知"),
        _("{{ unit }}对信件 {{ tracking_number }} 督办，期限 {{ due }}：{{ reason }} 办理：{{ link }}"),
    ),
    Kind.SUPERVISION_RAISED: Wording(
        _("自动督办待跟进"),
        _("信件 {{ tracking_number }} 已逾期，系统已对{{ unit }}自动督办，请跟进。查看：{{ link }}"),
    ),
    Kind.INSTRUCTION: Wording(
        _("领导批示"),
        _("领导对信件 {{ tracking_number }} 作出批示：{{ reason }} 落实期限 {{ due }}。查看：{{ link }}"),
    ),
    Kind.CITIZEN_MESSAGE: Wording(
        _("信访人留言"),
        _("信件 {{ tracking_number }} 有信访人新留言，请及时回复：{{ link }}"),
    ),
    # The accused side reads no tracking number, subject or text: the wording names only the
    # requesting unit and the due date (``services.notify`` leaves ``tracking_number`` empty here).
    Kind.EXPLANATION_REQUESTED: Wording(
        _("请说明情况"),
        _("{{ unit }}请本单位说明情况，请于 {{ due }} 前答复。查看说明请求：{{ link }}"),
    ),
    Kind.EXPLANATION_ANSWERED: Wording(
        _("被反映单位已说明情况"),
        _("{{ unit }}已就信件 {{ tracking_number }} 说明情况。查看：{{ link }}"),
    ),
    # Names the unit (and officer) and how many writers, never who they are (analysis.early_warning).
    Kind.EARLY_WARNING: Wording(
        _("信访预警"),
        _("{{ days }} 日内有 {{ writers }} 名不同信访人反映{{ unit }}，请关注。信件见工作台“信访预警”页：{{ link }}"),
    ),
}

CITIZEN_KINDS = frozenset(
    {
        Kind.RECEIPT,
        Kind.ACCEPTED,
        Kind.NOT_ACCEPTED,
        Kind.REFERRED,
        Kind.EMERGENCY,
        Kind.TRANSFERRED,
        Kind.INFO_REQUESTED,
        Kind.MESSAGE,
        Kind.EXTENDED,
        Kind.REPLIED,
        Kind.REVIEW_ANSWERED,
        Kind.REEXAM_ANSWERED,
        Kind.STEP,
    }
)

# What a person can send as often as they like (a message typed to the writer or to the handler):
# only these count against the per-recipient limit (``settings.NOTIFICATIONS_THROTTLE``). Every step
# of the procedure (receipt, acceptance, transfer, extension, reply, review, a written notice ready)
# is sent at once: it happens once per letter and step, and the writer is owed it without delay.
AT_WILL_KINDS = frozenset({Kind.MESSAGE, Kind.CITIZEN_MESSAGE})
