"""Accounts: staff, who belong to a unit and hold roles; citizens, who write letters; each reveal of an identity."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.vault import LOOKUP_ID_NUMBER, LOOKUP_PHONE
from xinfang.vault.fields import BlindIndexField, EncryptedTextField


class Role(models.TextChoices):
    SEAT_AGENT = "seat_agent", _("话务坐席")
    ACCEPTOR = "acceptor", _("受理员")
    HANDLER = "handler", _("承办人")
    LEADER = "leader", _("领导")
    INSPECTOR = "inspector", _("督察")
    PUBLISHER = "publisher", _("公开发布员")
    ANALYST = "analyst", _("统计分析员")
    ADMINISTRATOR = "administrator", _("系统管理员")


class User(AbstractUser):
    """One table for both kinds of account; ``kind`` keeps them apart everywhere."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("工作人员")
        CITIZEN = "citizen", _("群众")

    kind = models.CharField(_("账户类别"), max_length=10, choices=Kind.choices, default=Kind.STAFF)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="citizen", unit__isnull=True) | models.Q(kind="staff"),
                name="user_citizen_has_no_unit",
                violation_error_message=_("群众账户不能属于任何单位。"),
            )
        ]

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    @property
    def role_set(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_role_set", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_set = cached
        return cached


class RoleGrant(models.Model):
    """A role held by a staff user in their unit."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("授权人")
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="rolegrant_unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class VerificationMethod(models.TextChoices):
    """The back-ends of ``accounts.verification``, as recorded on an identity."""

    OIDC = "oidc", _("省统一身份认证平台")
    FORMAT_ONLY = "format", _("仅核对格式")


class CitizenIdentity(models.Model):
    """A citizen's real-name identity, kept apart from the account and from letter text.

    Name, ID number, phone and address are encrypted at rest (``xinfang.vault``); the account's
    ``first_name`` stays empty for citizens. Rows are found by phone or ID number through their
    keyed hashes (``phone_hash``, ``id_number_hash``), never by the encrypted values. Read and
    written only through ``accounts.services`` / ``accounts.selectors``.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="identity")
    real_name = EncryptedTextField(_("姓名"), context="accounts.citizen_identity.real_name")
    id_number = EncryptedTextField(_("身份证号码"), context="accounts.citizen_identity.id_number")
    phone = EncryptedTextField(_("手机号码"), context="accounts.citizen_identity.phone")
    phone_verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)
    address = EncryptedTextField(_("联系地址"), context="accounts.citizen_identity.address", blank=True)
    # How the real name was verified (accounts.verification): the identity platform vouched for
    # name, ID number and phone together, or only the ID number's format was checked.
    # (A database default too: rows written by code that predates the column are format-only.)
    verified_by = models.CharField(
        _("实名认证方式"),
        max_length=10,
        choices=VerificationMethod.choices,
        default=VerificationMethod.FORMAT_ONLY,
        db_default=VerificationMethod.FORMAT_ONLY,
    )
    verified_at = models.DateTimeField(_("实名认证时间"), null=True, blank=True)
    phone_hash = BlindIndexField(source="phone", purpose=LOOKUP_PHONE, db_index=True)
    id_number_hash = BlindIndexField(source="id_number", purpose=LOOKUP_ID_NUMBER, db_index=True)
    # Set when the identity was erased under the retention period (accounts.retention): the values
    # above are then empty and the account closed.
    erased_at = models.DateTimeField(_("身份信息删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("实名信息")
        verbose_name_plural = _("实名信息")
        constraints = [
            # One account per mobile number (one per ID number is checked at sign-up,
            # id_number_registered); erased identities all have an empty hash.
            models.UniqueConstraint(
                fields=["phone_hash"], condition=~models.Q(phone_hash=""), name="citizenidentity_phone_unique"
            )
        ]

    def __str__(self) -> str:
        return f"identity of user {self.user_id}"


class SmsCode(models.Model):
    """A one-time code sent by SMS to confirm a mobile number (sign-up, sign-in, password reset).

    Neither the code nor the number is kept in clear: both are keyed hashes (``SECRET_KEY``), so a
    copy of this table gives away neither. A code is valid for a few minutes, once, and for a few
    wrong guesses; ``accounts.services`` enforces that and the sending rate limits.
    """

    class Purpose(models.TextChoices):
        SIGN_UP = "sign_up", _("注册")
        SIGN_IN = "sign_in", _("登录")
        RESET = "reset", _("重设密码")

    phone_digest = models.CharField(max_length=64)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=100)  # salt$hmac-sha256
    client_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [
            models.Index(fields=["phone_digest", "created_at"], name="smscode_phone_idx"),
            models.Index(fields=["client_digest", "created_at"], name="smscode_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class IdentityReveal(models.Model):
    """One row each time a member of staff opened a writer's full identity (SPEC §6).

    Written only by ``accounts.reveal.identity_reveal``. The audit app chains these (through
    ``letters.signals.identity_revealed``) so that the record is tamper-evident; this table is what
    the console reads back. The table keeps the name it had in the console (``console_identityreveal``).
    """

    class Category(models.TextChoices):
        """Why the identity is needed: chosen from a list, so reveals can be counted by purpose."""

        CONTACT = "contact", _("联系信访人了解信件情况")
        VERIFY = "verify", _("核实身份以便答复")
        INVESTIGATE = "investigate", _("调查核实反映的问题")
        LEGAL = "legal", _("依法或纪检监察机关要求")
        OTHER = "other", _("其他")

    letter = models.ForeignKey("letters.Letter", verbose_name=_("信件"), on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("查看事由"), max_length=16, choices=Category.choices)
    reason = models.TextField(_("查看理由"))
    at = models.DateTimeField(_("查看时间"))

    class Meta:
        db_table = "console_identityreveal"
        verbose_name = _("身份查看记录")
        verbose_name_plural = _("身份查看记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["letter", "at"], name="identityreveal_letter_at_idx")]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.actor_id} {self.at:%Y-%m-%d %H:%M}"
