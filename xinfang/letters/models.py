"""Letters (信访件), their timeline, attachments, repeat links, instructions and supervision orders."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.choices import PoliceType
from xinfang.vault import LOOKUP_PHONE
from xinfang.vault.fields import BlindIndexField, EncryptedTextField
from xinfang.vocabulary import Channel, LetterType


class LetterState(models.TextChoices):
    RECEIVED = "received", _("已接收，待受理")
    INFO_REQUESTED = "info_requested", _("待补充材料")
    ACCEPTED = "accepted", _("已受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    REFERRED = "referred", _("已告知向有权机关提出")
    EMERGENCY_REDIRECTED = "emergency_redirected", _("已转 110 紧急处置")
    ASSIGNED = "assigned", _("已转办")
    IN_HANDLING = "in_handling", _("办理中")
    REPLY_DRAFTED = "reply_drafted", _("答复待审批")
    REPLIED = "replied", _("已答复")
    EVALUATED = "evaluated", _("已评价")
    REVIEW_REQUESTED = "review_requested", _("复查中")
    REVIEW_ANSWERED = "review_answered", _("已复查")
    REEXAM_REQUESTED = "reexam_requested", _("复核中")
    CONCLUDED = "concluded", _("已终结")
    CLOSED = "closed", _("已办结")

    @classmethod
    def final_states(cls) -> frozenset[str]:
        return frozenset({cls.NOT_ACCEPTED, cls.REFERRED, cls.EMERGENCY_REDIRECTED, cls.CONCLUDED, cls.CLOSED})

    @classmethod
    def open_states(cls) -> frozenset[str]:
        return frozenset(cls.values) - cls.final_states()

    @classmethod
    def authority_clock_states(cls) -> frozenset[str]:
        """States in which the authorities, not the citizen, owe the next step by ``current_due``."""
        return frozenset(
            {
                cls.RECEIVED,
                cls.ACCEPTED,
                cls.ASSIGNED,
                cls.IN_HANDLING,
                cls.REPLY_DRAFTED,
                cls.REVIEW_REQUESTED,
                cls.REEXAM_REQUESTED,
            }
        )


# In a fixed order, for the partial indexes' conditions (migrations compare them as written).
OPEN_STATES = sorted(LetterState.open_states())

# What waits at the front desk of the unit that owes it (``owing_unit``): a new letter not yet routed
# (received or accepted, no handling unit), or one a superior unit passed down for routing further
# (assigned to the desk's own bureau). console.selectors_desk.desk_queue and the partial index
# letter_desk_owed_idx share this condition, so that PostgreSQL reads the queue in order from the index.
DESK_STATES = sorted([LetterState.RECEIVED, LetterState.ACCEPTED, LetterState.ASSIGNED])
DESK_WAITING = models.Q(state__in=DESK_STATES) & (
    models.Q(handling_unit__isnull=True) | models.Q(state=LetterState.ASSIGNED)
)


class RefusalReason(models.TextChoices):
    """Reason codes for not accepting (不予受理), each with a standard written-notice text."""

    COURTS = "courts", _("应当通过诉讼、仲裁、行政复议等法定途径解决")
    CONCLUDED = "concluded", _("同一事项已经复核终结")
    IN_PROGRESS = "in_progress", _("同一事项正在办理期限内")
    NOT_POLICE = "not_police", _("不属于公安机关职责范围")
    NO_SUBSTANCE = "no_substance", _("没有具体事实和请求")
    OTHER = "other", _("其他原因")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class AssignmentMode(models.TextChoices):
    TRANSFER = "transfer", _("转办")
    ASSIGN = "assign", _("交办（须报告结果）")


class AnonymousCaller(models.Model):
    """A telephone caller who gave no name (only where the mailbox allows it).

    The number is encrypted at rest (``xinfang.vault``) and found by its keyed hash, through
    ``accounts.selectors.anonymous_callers_by_phone``.
    """

    phone = EncryptedTextField(_("来电号码"), context="letters.anonymous_caller.phone", blank=True)
    phone_hash = BlindIndexField(source="phone", purpose=LOOKUP_PHONE, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the number was erased under the retention period (accounts.retention).
    erased_at = models.DateTimeField(_("号码删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("匿名来电人")
        verbose_name_plural = _("匿名来电人")

    def __str__(self) -> str:
        return f"#{self.pk}"


def new_receipt_salt() -> str:
    return secrets.token_hex(16)


class Letter(models.Model):
    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    tracking_number = models.CharField(_("信件编号"), max_length=32, unique=True)
    query_code_hash = models.CharField(_("查询码摘要"), max_length=128)
    # Salts the text and file hashes in the letter's leaf of the transparency log, so that the
    # public leaf cannot confirm a guessed short letter; given to the writer in the receipt.
    receipt_salt = models.CharField(_("回执盐值"), max_length=32, default=new_receipt_salt, editable=False)
    mailbox = models.ForeignKey("orgs.Mailbox", verbose_name=_("信箱"), on_delete=models.PROTECT)
    letter_type = models.CharField(_("类型"), max_length=20, choices=LetterType.choices)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    subject = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    division_code = models.CharField(_("事发地区划代码"), max_length=12, blank=True)
    address = models.CharField(_("详细地址"), max_length=300, blank=True)
    police_type = models.CharField(_("警种"), max_length=20, choices=PoliceType.choices, blank=True)
    accused_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("被反映单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accused_officer_name = models.CharField(_("被反映民警姓名"), max_length=60, blank=True)
    accused_badge_number = models.CharField(_("警号"), max_length=20, blank=True)
    accused_officer_post = models.CharField(_("被反映民警职务"), max_length=60, blank=True)
    accuses_leadership = models.BooleanField(_("反映单位领导"), default=False)
    # A complaint or report is not routed until the front desk has decided whom it accuses
    # (``accused_unit``, or no police unit): set by ``services.letter_set_accused``.
    accused_decided_at = models.DateTimeField(_("被反映单位认定时间"), null=True, blank=True)
    accused_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("被反映单位认定人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    consent_to_publish = models.BooleanField(_("同意匿名公开"), default=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("信访人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="letters",
    )  # fmt: skip
    anonymous_caller = models.ForeignKey(
        AnonymousCaller, verbose_name=_("匿名来电人"), null=True, blank=True, on_delete=models.PROTECT
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    repeat_of = models.ForeignKey(
        "self", verbose_name=_("重复信件之原件"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="repeats",
    )  # fmt: skip

    state = models.CharField(_("状态"), max_length=24, choices=LetterState.choices, default=LetterState.RECEIVED)
    version = models.PositiveIntegerField(_("版本"), default=0)
    intake_unit = models.ForeignKey("orgs.Unit", verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+")
    handling_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("办理单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("交转办单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignment_mode = models.CharField(_("交转办方式"), max_length=10, choices=AssignmentMode.choices, blank=True)
    assigned_at = models.DateTimeField(_("交转办时间"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    # Units that passed the letter down, front desk first: a return goes back to the last one.
    sender_chain = models.JSONField(_("转送单位"), default=list, blank=True)
    review_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("复查单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reexam_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("复核单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unit that owes the authorities' next step (letters.access.owing_unit), kept by
    # lifecycle.apply: the inspector's pages read one indexed column instead of four.
    owing_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("当前责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    refusal_reason = models.CharField(_("不予受理理由"), max_length=20, choices=RefusalReason.choices, blank=True)
    notice_text = models.TextField(_("书面告知"), blank=True)
    referred_to = models.CharField(_("有权处理机关"), max_length=200, blank=True)
    reply_text = models.TextField(_("答复意见"), blank=True)
    review_answer = models.TextField(_("复查意见"), blank=True)
    reexam_answer = models.TextField(_("复核意见"), blank=True)
    rating = models.CharField(_("评价"), max_length=20, choices=Rating.choices, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0)

    received_at = models.DateTimeField(_("接收时间"))
    # Receipt, or complete materials.
    acceptance_clock_from = models.DateTimeField(_("受理期限起算时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    review_requested_at = models.DateTimeField(_("复查申请时间"), null=True, blank=True)
    review_answered_at = models.DateTimeField(_("复查答复时间"), null=True, blank=True)
    reexam_requested_at = models.DateTimeField(_("复核申请时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Due dates (deadlines.policies computes them; services store them here).
    accept_due = models.DateField(_("受理期限"), null=True, blank=True)
    reply_due = models.DateField(_("答复期限"), null=True, blank=True)
    return_due = models.DateField(_("退回期限"), null=True, blank=True)
    evaluation_due = models.DateField(_("评价期限"), null=True, blank=True)
    review_request_due = models.DateField(_("复查申请期限"), null=True, blank=True)
    review_due = models.DateField(_("复查期限"), null=True, blank=True)
    reexam_request_due = models.DateField(_("复核申请期限"), null=True, blank=True)
    reexam_due = models.DateField(_("复核期限"), null=True, blank=True)
    # What the authorities owe next, by when: the one column the sweep and the queues sort on.
    current_due = models.DateField(_("当前期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限待定（节假日未公布）"), default=False)
    due_soon_marked = models.DateField(_("临期提醒日期"), null=True, blank=True)
    overdue_marked = models.DateField(_("超期标记日期"), null=True, blank=True)
    supervision_flag = models.BooleanField(_("自动督办"), default=False)
    # What analysis.emergency read in the subject and text at submission, whatever the channel: a
    # flagged letter heads the front desk's queue until it is redirected to 110 or an acceptor clears it.
    emergency_flag = models.BooleanField(_("疑似正在发生的紧急情况"), default=False)
    emergency_words = models.JSONField(_("紧急情况提示词"), default=list, blank=True)

    class Meta:
        verbose_name = _("信件")
        verbose_name_plural = _("信件")
        indexes = [
            models.Index(fields=["intake_unit", "state", "current_due"], name="letter_intake_queue_idx"),
            models.Index(fields=["handling_unit", "state", "current_due"], name="letter_handling_queue_idx"),
            models.Index(fields=["state", "current_due"], name="letter_state_due_idx"),
            models.Index(fields=["citizen", "received_at"], name="letter_citizen_idx"),
            # Lists of open letters by due date across many units (docs/benchmarks.md). The
            # INCLUDE columns let PostgreSQL filter by unit and recusal without reading the table;
            # other databases ignore them.
            models.Index(
                fields=["current_due", "received_at", "id"],
                include=[
                    "state", "handling_unit", "intake_unit", "review_unit", "reexam_unit", "accused_unit",
                    "supervision_flag", "return_count",
                ],
                condition=models.Q(state__in=OPEN_STATES),
                name="letter_open_due_idx",
            ),
            models.Index(
                fields=["owing_unit", "current_due"],
                include=["received_at", "id", "state", "accused_unit", "supervision_flag", "return_count"],
                condition=models.Q(state__in=OPEN_STATES),
                name="letter_owing_open_idx",
            ),
            # The inspector's overview counts the flagged and the often-returned open letters under a
            # bureau (console.selectors_work.supervision_summary) from these small indexes alone.
            models.Index(
                fields=["owing_unit"],
                include=["accused_unit"],
                condition=models.Q(supervision_flag=True, state__in=OPEN_STATES),
                name="letter_owing_flagged_idx",
            ),
            models.Index(
                fields=["owing_unit"],
                include=["accused_unit"],
                condition=models.Q(return_count__gte=2, state__in=OPEN_STATES),
                name="letter_owing_returned_idx",
            ),
            # The front desk's queue in its order (emergencies first), and its count from the index alone.
            models.Index(
                fields=["owing_unit", "-emergency_flag", "current_due", "received_at", "id"],
                include=["state", "handling_unit", "accused_unit"],
                condition=DESK_WAITING,
                name="letter_desk_owed_idx",
            ),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=models.Q(citizen__isnull=True) | models.Q(anonymous_caller__isnull=True),
                name="letter_one_writer",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_open(self) -> bool:
        return self.state in LetterState.open_states()


class TrackingCounter(models.Model):
    """Serial numbers of tracking numbers handed out per prefix and day (``letters.tracking``).

    ``issued`` is the high-water mark: processes take blocks of serials from it. ``key`` keys the
    day's permutation of serials into the digits people see; it never leaves the database."""

    prefix = models.CharField(max_length=8)
    day = models.CharField(max_length=8)  # YYYYMMDD, as in the number
    issued = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("信件编号计数器")
        verbose_name_plural = _("信件编号计数器")
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="trackingcounter_prefix_day")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day}: {self.issued}"


class LetterEvent(models.Model):
    """One row per step on the timeline: who, when, from, to, why, and whether the citizen sees it."""

    letter = models.ForeignKey(Letter, verbose_name=_("信件"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=32)
    from_state = models.CharField(_("原状态"), max_length=24, choices=LetterState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=24, choices=LetterState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("理由"), blank=True)
    citizen_visible = models.BooleanField(_("信访人可见"), default=False)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("信件流转记录")
        verbose_name_plural = _("信件流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["letter", "at"], name="letterevent_letter_at_idx")]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.action}"


class Extension(models.Model):
    """A request to extend the reply deadline (once, up to 30 days, a leader decides)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["letter"], condition=models.Q(status="pending"), name="extension_one_pending_per_letter"
            ),
            models.UniqueConstraint(
                fields=["letter"], condition=models.Q(status="approved"), name="extension_one_approved_per_letter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} +{self.days}"


class Instruction(models.Model):
    """A leader's instruction (批示) on a letter, shown on the handler's page."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="instructions")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("批示内容"))
    due = models.DateField(_("办理期限"), null=True, blank=True)
    created_at = models.DateTimeField()
    response = models.TextField(_("落实情况"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class SupervisionOrder(models.Model):
    """A supervision order (督办) from a superior unit, issued by an inspector or raised automatically."""

    letter = models.ForeignKey(
        Letter, verbose_name=_("信件"), on_delete=models.CASCADE, related_name="supervision_orders"
    )
    issuing_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("督办单位"), on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督办人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    automatic = models.BooleanField(_("自动督办"), default=False)
    text = models.TextField(_("督办要求"))
    due = models.DateField(_("督办期限"))
    created_at = models.DateTimeField(_("督办时间"))
    response = models.TextField(_("办理情况"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回复人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["issuing_unit", "responded_at", "due"], name="supervision_unit_open_idx"),
            # The answered orders, newest first: a provincial bureau's first page without sorting them all.
            models.Index(
                fields=["-responded_at", "-id"],
                include=["issuing_unit"],
                condition=models.Q(responded_at__isnull=False),
                name="supervision_answered_idx",
            ),
        ]
        constraints = [
            # One open automatic order per letter and supervising unit: a later stage that goes
            # overdue at another level gets its own order, a repeated sweep never a second one.
            models.UniqueConstraint(
                fields=["letter", "issuing_unit"],
                condition=models.Q(automatic=True, responded_at__isnull=True),
                name="supervision_one_open_automatic_per_unit",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class Attachment(models.Model):
    """A file on a letter: from the citizen (evidence) or internal to staff.

    ``file`` is the original, kept byte for byte as evidence (``sha256`` proves it is unchanged);
    ``sanitised`` is the copy of an image with its metadata (EXIF, GPS, XMP, comments) removed,
    which is what staff open. Server-side names are random; the writer's name is kept as text only.
    See ``xinfang.letters.attachments``.
    """

    class ScanStatus(models.TextChoices):
        NOT_SCANNED = "not_scanned", _("未扫描（未配置病毒扫描）")
        CLEAN = "clean", _("未发现病毒")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("原件"), upload_to="letters/originals/%Y/%m/")
    sanitised = models.FileField(_("去除元数据的副本"), upload_to="letters/sanitised/%Y/%m/", blank=True)
    sha256 = models.CharField(_("原件 SHA-256"), max_length=64, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("按内容识别的文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    scan_status = models.CharField(
        _("病毒扫描"), max_length=20, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED
    )
    scan_result = models.CharField(_("扫描结果"), max_length=200, blank=True)
    internal = models.BooleanField(default=False)
    message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Message(models.Model):
    """Online communication on a letter: citizen ↔ handler, and staff's internal notes.

    Internal notes are never shown to the citizen (nor are internal attachments).
    """

    class Kind(models.TextChoices):
        FROM_CITIZEN = "from_citizen", _("群众留言")
        TO_CITIZEN = "to_citizen", _("回复群众")
        INTERNAL_NOTE = "internal_note", _("内部备注")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["letter", "created_at"], name="message_letter_idx")]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def citizen_visible(self) -> bool:
        return self.kind != self.Kind.INTERNAL_NOTE
