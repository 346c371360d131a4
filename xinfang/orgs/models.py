"""The unit tree (公安机关 and their 警种 departments) and the mailboxes they own."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.vocabulary import Channel, LetterType


class Unit(MP_Node):
    """A public security organ or a police-type department inside one.

    The tree is a materialised path (django-treebeard), so "everything under a unit" is one
    indexed prefix query. Bureaus carry the GB/T 2260 code of their jurisdiction; departments
    carry their bureau's code and a police type. Units are never deleted: a retired or merged
    unit stays so that old letters and timelines still read correctly.
    """

    steplen = 4

    # treebeard's tree fields, named for the back office's read-only "树结构" section.
    path = models.CharField(_("树路径"), max_length=255, unique=True)
    depth = models.PositiveIntegerField(_("树深度"))
    numchild = models.PositiveIntegerField(_("直属下级数"), default=0)
    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=UnitLevel.choices)
    kind = models.CharField(_("类别"), max_length=16, choices=UnitKind.choices, default=UnitKind.BUREAU)
    # Six digits (GB/T 2260) for provinces, cities and counties; nine (the statistical town code) for
    # the town and street sub-bureaus of the cities without counties (docs/units-data.md).
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True, db_index=True)
    division_name = models.CharField(_("行政区划名称"), max_length=60, blank=True)
    division_name_en = models.CharField(_("行政区划英文名称"), max_length=120, blank=True)
    division_type = models.CharField(_("区划类型"), max_length=16, blank=True)
    police_type = models.CharField(_("警种"), max_length=20, choices=PoliceType.choices, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    retired_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("并入"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bureau_of_department = models.ForeignKey(
        "self",
        verbose_name=_("所属公安机关"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("仅警种部门：它所在的公安机关"),
    )

    node_order_by: list[str] = []

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau_of_department", "police_type"],
                name="unit_unique_department_per_bureau",
                condition=models.Q(kind="department"),
            ),
        ]
        indexes = [models.Index(fields=["level", "is_active"], name="unit_level_active_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def is_department(self) -> bool:
        return self.kind == UnitKind.DEPARTMENT

    @property
    def is_station(self) -> bool:
        return self.kind == UnitKind.STATION

    @property
    def bureau(self) -> Unit:
        """The bureau itself, or the bureau a department belongs to."""
        return self.bureau_of_department if self.bureau_of_department_id else self  # type: ignore[return-value]

    @property
    def division_display(self) -> str:
        if self.division_name_en and (get_language() or "").startswith("en"):
            return self.division_name_en
        return self.division_name

    def is_within(self, other: Unit) -> bool:
        """True if this unit is ``other`` or lies anywhere under it."""
        return self.path.startswith(other.path)


class UnitChange(models.Model):
    """One row per administrative change to the tree, so history stays readable."""

    class Kind(models.TextChoices):
        CREATED = "created", _("新设")
        RENAMED = "renamed", _("更名")
        MERGED = "merged", _("合并")
        RETIRED = "retired", _("撤销")

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("变更类别"), max_length=16, choices=Kind.choices)
    old_name = models.CharField(_("原名称"), max_length=120, blank=True)
    new_name = models.CharField(_("新名称"), max_length=120, blank=True)
    target = models.ForeignKey(
        Unit, verbose_name=_("并入单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("理由"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位变更")
        verbose_name_plural = _("单位变更")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.old_name} → {self.new_name}"


def default_letter_types() -> list[str]:
    return list(LetterType.values)


def default_channels() -> list[str]:
    return [Channel.WEB, Channel.WECHAT, Channel.WEIBO]


# A web origin as a browser sends it: scheme, host and an optional port; nothing that could end a
# header directive (the origins go into Content-Security-Policy frame-ancestors).
ORIGIN = re.compile(r"https?://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?")


def validate_origins(value: str) -> None:
    for line in value.splitlines():
        if line.strip() and not ORIGIN.fullmatch(line.strip()):
            raise ValidationError(
                _("“%(line)s”不是有效的网站来源：只写协议、域名和端口，如 https://gat.gd.gov.cn。"),
                params={"line": line.strip()[:80]},
            )


class EmbedStyle(models.TextChoices):
    FLOAT = "float", _("飘窗")
    POPUP = "popup", _("弹窗")


class Mailbox(models.Model):
    """A public intake point owned by a unit: the 12389 platform or a Director's Mailbox."""

    slug = models.SlugField(_("标识"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=200)
    owner = models.ForeignKey(Unit, verbose_name=_("主管单位"), on_delete=models.PROTECT, related_name="mailboxes")
    tracking_prefix = models.CharField(_("编号前缀"), max_length=8, unique=True, help_text=_("信件编号的前缀，如 GD"))
    letter_types = models.JSONField(_("受理类型"), default=default_letter_types)
    channels = models.JSONField(_("开通渠道"), default=default_channels)
    allows_anonymous_phone = models.BooleanField(_("允许匿名电话举报"), default=False)
    is_national = models.BooleanField(_("全国平台"), default=False)
    is_active = models.BooleanField(_("开通"), default=True)
    intro = models.TextField(_("简介"), blank=True)
    intro_en = models.TextField(_("英文简介"), blank=True)
    # What the mailbox page shows besides the intro (issue 18 §3), edited in the admin.
    greeting = models.TextField(_("局长寄语"), blank=True, help_text=_("信箱主页上的局长简短寄语"))
    greeting_en = models.TextField(_("英文局长寄语"), blank=True)
    office_phone = models.CharField(_("信访办公室电话"), max_length=60, blank=True)
    office_hours = models.CharField(
        _("接待时间"), max_length=200, blank=True, help_text=_("如：工作日 9:00–12:00、14:30–17:30")
    )
    office_hours_en = models.CharField(_("英文接待时间"), max_length=200, blank=True)
    # Bureau websites that may show the mailbox in a floating window or pop-up (portal.views_public).
    embed_origins = models.TextField(
        _("允许嵌入的网站"),
        blank=True,
        validators=[validate_origins],
        help_text=_("每行一个来源，如 https://gat.gd.gov.cn；只有这些网站可以用嵌入代码显示本信箱。"),
    )
    embed_style = models.CharField(_("嵌入方式"), max_length=8, choices=EmbedStyle.choices, default=EmbedStyle.FLOAT)

    class Meta:
        verbose_name = _("信箱")
        verbose_name_plural = _("信箱")
        ordering = ["-is_national", "owner__path"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name

    def takes(self, letter_type: str) -> bool:
        return letter_type in self.letter_types

    @property
    def allowed_origins(self) -> list[str]:
        """The websites that may frame this mailbox's embed page, each a valid origin."""
        return [line.strip() for line in self.embed_origins.splitlines() if ORIGIN.fullmatch(line.strip())]
