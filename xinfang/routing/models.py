"""Administrator-edited routing rules (SPEC §5: "administrators can add rules")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType


def reachable(mailbox: Mailbox, unit: Unit) -> bool:
    """True if a letter of ``mailbox`` may be sent to ``unit`` by a rule.

    The national platform reaches everywhere. Any other mailbox sends down into its owner's
    jurisdiction or up to its owner's superiors, never sideways: a Guangdong mailbox never
    sends to Beijing.
    """
    if mailbox.is_national:
        return True
    owner = mailbox.owner.bureau
    target = unit.bureau
    return target.is_within(owner) or owner.is_within(target)


class RoutingRule(models.Model):
    """A rule that replaces the territorial and police-type proposal of the letters it matches.

    Blank conditions match anything; the first active matching rule (by ``position``) wins.
    No rule can override recusal (回避): an accusation is re-routed above the accused unit
    whatever a rule says.
    """

    name = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=100, help_text=_("数字小的规则先匹配"))
    is_active = models.BooleanField(_("启用"), default=True)
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("信箱"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("留空表示适用于所有信箱"),
    )
    letter_type = models.CharField(
        _("信件类型"), max_length=16, choices=LetterType.choices, blank=True, help_text=_("留空表示任意类型")
    )
    police_type = models.CharField(
        _("警种"), max_length=20, choices=PoliceType.choices, blank=True, help_text=_("留空表示任意警种")
    )
    division_prefix = models.CharField(
        _("地点代码前缀"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{1,6}$", _("请填写 1 至 6 位数字，如 44 表示广东省，4403 表示深圳市。"))],
        help_text=_("行政区划代码的开头，如 44 表示广东省，4403 表示深圳市；留空表示任意地点"),
    )
    target = models.ForeignKey(Unit, verbose_name=_("分至单位"), on_delete=models.PROTECT, related_name="routing_rules")
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("分流规则")
        verbose_name_plural = pgettext_lazy("plural", "分流规则")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["is_active", "position"], name="routing_rule_active_pos_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def matches(self, *, mailbox: Mailbox, letter_type: str, police_type: str, division_code: str) -> bool:
        return (
            (self.mailbox_id is None or self.mailbox_id == mailbox.pk)
            and self.letter_type in ("", letter_type)
            and self.police_type in ("", police_type)
            and division_code.startswith(self.division_prefix)
        )

    def clean(self) -> None:
        if self.mailbox is not None and self.target_id is not None and not reachable(self.mailbox, self.target):
            raise ValidationError(
                {"target": _("该单位既不在信箱主管单位的辖区内，也不是其上级，不能作为本信箱的分流目标。")}
            )


class CityLevelFunction(models.Model):
    """A police function the city (prefecture-level) bureau runs for its counties (``routing.defaults``).

    A row with a declared default's ``key`` replaces that default (``is_active`` off switches it off);
    other keys add functions. A letter of ``police_type`` (whose text has one of ``words``, when
    given) placed in a county goes to the city bureau above it, with ``reason`` shown.
    """

    key = models.SlugField(
        pgettext_lazy("rule key", "标识"), max_length=40, unique=True, help_text=_("与系统默认规则同名时取代该默认规则")
    )
    police_type = models.CharField(_("警种"), max_length=20, choices=PoliceType.choices)
    words = models.CharField(
        _("事项词语"),
        max_length=500,
        blank=True,
        help_text=_("信件中出现其中任一词语时适用，用逗号分隔；留空表示该警种的所有信件"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    reason = models.CharField(_("理由"), max_length=300, help_text=_("向受理人员显示的理由"))
    reason_en = models.CharField(_("英文理由"), max_length=300, blank=True)
    source = models.TextField(_("依据"), blank=True)

    class Meta:
        verbose_name = _("市级统一办理的警务事项")
        verbose_name_plural = _("市级统一办理的警务事项")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @property
    def word_list(self) -> tuple[str, ...]:
        return tuple(w.strip() for w in self.words.replace("，", ",").split(",") if w.strip())
