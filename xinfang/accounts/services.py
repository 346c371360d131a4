"""Writes to accounts: staff, citizens (real-name sign-up, sign-in, password reset) and SMS codes."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
import uuid
from collections.abc import Iterable

from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from xinfang.accounts.id_numbers import validate_mobile, validate_resident_id
from xinfang.accounts.models import CitizenIdentity, RoleGrant, SmsCode, User, VerificationMethod
from xinfang.accounts.selectors import citizen_by_id_number, citizen_by_phone, id_number_registered
from xinfang.accounts.verification import FORMAT_ONLY, VerificationFailed, VerifiedIdentity, backend_enabled
from xinfang.notifications.sms import SmsDeliveryError, send_sms
from xinfang.orgs.models import Unit
from xinfang.text import clean_input
from xinfang.vault import LOOKUP_PHONE, lookup_hash

logger = logging.getLogger(__name__)


def staff_create(
    *,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    unit: Unit,
    roles: Iterable[str],
    actor: User | None,
    full_name: str = "",
    email: str = "",
    language: str = "zh-hans",
) -> User:
    """Create a staff account in ``unit`` holding ``roles``.

    ``password_hash`` (from ``make_password``) lets a batch share one slow hash instead of one each.
    """
    if (password is None) == (password_hash is None):
        raise ValueError("give exactly one of password and password_hash")
    with transaction.atomic():
        user = User(username=username, kind=User.Kind.STAFF, unit=unit, email=email, language=language)
        user.first_name = clean_input(full_name)
        if password_hash is not None:
            user.password = password_hash
        else:
            user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        staff_set_roles(user=user, roles=roles, actor=actor)
    return user


def staff_set_roles(*, user: User, roles: Iterable[str], actor: User | None) -> User:
    """Replace the roles a staff user holds."""
    wanted = set(roles)
    with transaction.atomic():
        user.role_grants.exclude(role__in=wanted).delete()
        have = set(user.role_grants.values_list("role", flat=True))
        for role in sorted(wanted - have):  # one by one: each grant is a permission change the audit records
            RoleGrant.objects.create(user=user, role=role, granted_by=actor)
    user.__dict__.pop("_role_set", None)
    return user


def citizen_create(
    *,
    real_name: str,
    id_number: str,
    phone: str,
    password: str | None,
    phone_verified_at: dt.datetime | None,
    address: str = "",
    language: str = "zh-hans",
    verified_by: str = VerificationMethod.FORMAT_ONLY,
) -> User:
    """Create a citizen account with its real-name identity.

    The username is internal (citizens sign in with their mobile number); ``password=None``
    leaves an account that can only sign in with an SMS code. The ID number (GB 11643 check
    digit, plausible birth date) and the mobile number are validated here too; a number that is
    already registered raises ValidationError on ``phone``.
    """
    real_name, address = validate_real_name(real_name), clean_input(address)
    id_number = validate_resident_id(id_number)
    phone = validate_mobile(phone)
    try:
        return _citizen_insert(
            real_name=real_name,
            id_number=id_number,
            phone=phone,
            password=password,
            phone_verified_at=phone_verified_at,
            address=address,
            language=language,
            verified_by=verified_by,
        )
    except IntegrityError as exc:
        raise ValidationError({"phone": _("该手机号码已经注册，请直接登录或找回密码。")}, code="phone_taken") from exc


def _citizen_insert(
    *,
    real_name: str,
    id_number: str,
    phone: str,
    password: str | None,
    phone_verified_at: dt.datetime | None,
    address: str,
    language: str,
    verified_by: str,
) -> User:
    with transaction.atomic():
        # The name goes to the identity only (encrypted); the account's first_name stays empty.
        user = User(username=f"c-{uuid.uuid4().hex[:20]}", kind=User.Kind.CITIZEN, language=language)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        CitizenIdentity.objects.create(
            user=user,
            real_name=real_name,
            id_number=id_number,
            phone=phone,
            phone_verified_at=phone_verified_at,
            address=address,
            verified_by=verified_by,
            verified_at=timezone.now(),
        )
    return user


def validate_real_name(value: str) -> str:
    """A real name as on the ID card: 2 to 30 letters (Chinese, Latin, and the middle dot of
    names such as 阿依古丽·买买提), once bidi controls and invisible characters are gone (``clean_input``)."""
    name = " ".join(clean_input(value or "").split())
    if not 2 <= len(name) <= 30 or any(not (ch.isalpha() or ch in "·• -'") for ch in name):
        raise ValidationError(_("请填写与身份证一致的姓名（2 至 30 个字）。"), code="real_name")
    return name


# ---------------------------------------------------------------- SMS codes

SMS_CODE_DIGITS = 6
SMS_CODE_TTL = dt.timedelta(minutes=5)
SMS_CODE_MAX_ATTEMPTS = 5
SMS_RESEND_AFTER = dt.timedelta(seconds=60)
SMS_PER_NUMBER_PER_HOUR = 5
SMS_PER_NUMBER_PER_DAY = 10
SMS_PER_CLIENT_PER_HOUR = 20


class SmsCodeError(ValidationError):
    """A code could not be sent or was not accepted; the message says why, for the user."""


class SmsCodeRateLimited(SmsCodeError):
    """Too many codes asked for this number or from this address."""


def _digest(kind: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256 with SECRET_KEY): equal values can be found, the value cannot be read."""
    return salted_hmac(f"xinfang.accounts.sms.{kind}", value, algorithm="sha256").hexdigest()


def _code_hash(code_id_salt: str, code: str) -> str:
    # Six digits are a million guesses offline; the key is what makes a copied table useless.
    return _digest("code", f"{code_id_salt}:{code}")


def _check_send_limits(phone_digest: str, client_digest: str, now: dt.datetime) -> None:
    by_number = SmsCode.objects.filter(phone_digest=phone_digest)
    last = by_number.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now - last < SMS_RESEND_AFTER:
        wait = int((SMS_RESEND_AFTER - (now - last)).total_seconds()) + 1
        raise SmsCodeRateLimited(_("验证码已发送，请 %(seconds)d 秒后再获取。") % {"seconds": wait}, code="resend")
    if by_number.filter(created_at__gte=now - dt.timedelta(hours=1)).count() >= SMS_PER_NUMBER_PER_HOUR:
        raise SmsCodeRateLimited(_("该手机号码获取验证码过于频繁，请一小时后再试。"), code="number_hour")
    if by_number.filter(created_at__gte=now - dt.timedelta(days=1)).count() >= SMS_PER_NUMBER_PER_DAY:
        raise SmsCodeRateLimited(_("该手机号码今天获取验证码的次数已达上限，请明天再试。"), code="number_day")
    from_client = SmsCode.objects.filter(client_digest=client_digest, created_at__gte=now - dt.timedelta(hours=1))
    if from_client.count() >= SMS_PER_CLIENT_PER_HOUR:
        raise SmsCodeRateLimited(_("您所在的网络获取验证码过于频繁，请稍后再试。"), code="client_hour")


def _sms_text(purpose: str, code: str) -> str:
    minutes = int(SMS_CODE_TTL.total_seconds() // 60)
    texts = {
        SmsCode.Purpose.SIGN_UP: _("【公安信访】您正在注册账户，验证码 %(code)s，%(minutes)d 分钟内有效。"),
        SmsCode.Purpose.SIGN_IN: _("【公安信访】您正在登录，验证码 %(code)s，%(minutes)d 分钟内有效。"),
        SmsCode.Purpose.RESET: _("【公安信访】您正在重设密码，验证码 %(code)s，%(minutes)d 分钟内有效。"),
    }
    warning = _("请勿告诉他人；如非本人操作，请忽略本短信。")
    return f"{texts[SmsCode.Purpose(purpose)] % {'code': code, 'minutes': minutes}}{warning}"


def sms_code_send(*, phone: str, purpose: str, client_address: str) -> None:
    """Send a one-time code to ``phone`` for ``purpose``.

    1. The number is validated; the rate limits per number (one a minute, a few an hour and a day)
       and per client address are checked against the codes already sent.
    2. Earlier unused codes for the same number and purpose stop working.
    3. The new code is stored hashed and sent. For sign-in and reset it is only sent when the
       number belongs to a citizen account, but the row is written and the caller sees the same
       outcome either way, so the page does not tell who is registered.
    A failed delivery rolls everything back (it does not count against the limits).
    """
    phone = validate_mobile(phone)
    now = timezone.now()
    phone_digest, client_digest = _digest("phone", phone), _digest("client", client_address)
    code = "".join(secrets.choice("0123456789") for _ in range(SMS_CODE_DIGITS))
    salt = secrets.token_hex(8)
    deliver = purpose == SmsCode.Purpose.SIGN_UP or citizen_by_phone(phone) is not None
    with transaction.atomic():
        _check_send_limits(phone_digest, client_digest, now)
        SmsCode.objects.filter(phone_digest=phone_digest, purpose=purpose, used_at__isnull=True).update(expires_at=now)
        SmsCode.objects.create(
            phone_digest=phone_digest,
            purpose=purpose,
            code_hash=f"{salt}${_code_hash(salt, code)}",
            client_digest=client_digest,
            created_at=now,
            expires_at=now + SMS_CODE_TTL,
        )
        if deliver:
            try:
                send_sms(phone, _sms_text(purpose, code), idempotency_key=uuid.uuid4().hex)
            except SmsDeliveryError as exc:
                logger.warning("SMS code not delivered: %s", exc)
                raise SmsCodeError(_("短信发送失败，请稍后再试。"), code="delivery") from exc


def sms_code_redeem(*, phone: str, purpose: str, code: str) -> None:
    """Accept ``code`` for ``phone`` and ``purpose`` once, or raise SmsCodeError saying why.

    Only the latest code counts; each wrong guess uses up one of its attempts, and the
    conditional update makes a code usable exactly once even when two requests race.
    """
    phone = validate_mobile(phone)
    now = timezone.now()
    latest = (
        SmsCode.objects.filter(phone_digest=_digest("phone", phone), purpose=purpose, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if latest is None:
        raise SmsCodeError(_("请先获取短信验证码。"), code="none")
    if latest.expires_at <= now:
        raise SmsCodeError(_("验证码已过期，请重新获取。"), code="expired")
    if latest.attempts >= SMS_CODE_MAX_ATTEMPTS:
        raise SmsCodeError(_("验证码错误次数过多，请重新获取。"), code="attempts")
    salt, _sep, expected = latest.code_hash.partition("$")
    if not hmac.compare_digest(expected, _code_hash(salt, "".join((code or "").split()))):
        SmsCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
        raise SmsCodeError(_("验证码不正确。"), code="wrong")
    used = SmsCode.objects.filter(
        pk=latest.pk, used_at__isnull=True, attempts__lt=SMS_CODE_MAX_ATTEMPTS, expires_at__gt=now
    ).update(used_at=now)
    if used != 1:
        raise SmsCodeError(_("验证码已使用，请重新获取。"), code="used")


# ---------------------------------------------------------------- citizens: sign-up, sign-in, reset


class IdNumberRegistered(ValidationError):
    """The SMS code was right but the ID number already holds an account: the person should sign in."""


def citizen_sign_up(
    *, real_name: str, id_number: str, phone: str, password: str, code: str, language: str = "zh-hans"
) -> User:
    """Open a real-name citizen account.

    1. The ID number is checked for its form only (check digit, birth date). Whether it is
       registered is not looked at yet: until the code proves the phone, a registered ID number
       and a new one get the same answers, so the page tells no one who has an account.
    2. The SMS code proves the number (it is consumed).
    3. An ID number already registered, in any spelling, raises IdNumberRegistered (on
       ``id_number``): no second account; the page sends the person to sign in.
    4. The account is created; a number registered meanwhile is refused on ``phone``.
    Errors are ValidationErrors keyed by the form field they concern. Where the format-only
    back-end is refused (production, unless the operator allowed it) nothing is checked or sent.
    """
    if not backend_enabled(FORMAT_ONLY):
        refusal = _("本系统不接受仅核对格式的实名注册，请通过统一身份认证平台登录。")
        raise ValidationError(refusal, code="format_refused")
    id_number = validate_resident_id(id_number)
    try:
        sms_code_redeem(phone=phone, purpose=SmsCode.Purpose.SIGN_UP, code=code)
    except SmsCodeError as exc:
        raise ValidationError({"code": exc.messages}) from exc
    if id_number_registered(id_number):
        raise IdNumberRegistered(
            {"id_number": _("该身份证号码已经注册过账户，请用注册时的手机号码登录或找回密码。")}, code="id_taken"
        )
    return citizen_create(
        real_name=real_name,
        id_number=id_number,
        phone=phone,
        password=password,
        phone_verified_at=timezone.now(),
        language=language,
    )


def citizen_sign_in_verified(*, request: HttpRequest, identity: VerifiedIdentity, language: str = "zh-hans") -> User:
    """Sign in the citizen whom the identity platform vouched for, opening their account the first time.

    1. An account already bound to the ID number (in any spelling) is the citizen's: it is signed
       into, never duplicated. Its name becomes the platform's, and its phone too unless another
       account holds that number; it is marked verified by the platform.
    2. Otherwise an account is opened with the platform's name, ID number and phone (verified by
       the platform) and no password: the citizen signs in through the platform or with an SMS code.
    3. A closed account is refused, and so is a phone that another person's account holds.
    One transaction: a refusal leaves nothing half-written, and nobody is signed in.
    """
    now = timezone.now()
    with transaction.atomic():
        citizen = citizen_by_id_number(identity.id_number)
        if citizen is None:
            try:
                citizen = citizen_create(
                    real_name=identity.real_name,
                    id_number=identity.id_number,
                    phone=identity.phone,
                    password=None,
                    phone_verified_at=now,
                    language=language,
                    verified_by=identity.method,
                )
            except ValidationError as exc:
                raise VerificationFailed(_("认证平台提供的手机号码已被另一个账户使用，请联系我们处理。")) from exc
        elif not citizen.is_active:
            raise VerificationFailed(_("该账户已停用，请联系我们处理。"))
        else:
            _identity_update_verified(citizen, identity, now)
    login(request, citizen, backend="django.contrib.auth.backends.ModelBackend")
    return citizen


def _identity_update_verified(citizen: User, verified: VerifiedIdentity, now: dt.datetime) -> None:
    identity = CitizenIdentity.objects.select_for_update().get(user=citizen)
    identity.real_name, identity.verified_by, identity.verified_at = verified.real_name, verified.method, now
    fields = ["real_name", "verified_by", "verified_at"]
    holder = citizen_by_phone(verified.phone)
    if identity.phone != verified.phone and (holder is None or holder.pk == citizen.pk):
        identity.phone, identity.phone_verified_at = verified.phone, now
        fields += ["phone", "phone_verified_at", "phone_hash"]
    identity.save(update_fields=fields)


def citizen_sign_in_with_password(*, request: HttpRequest, phone: str, password: str) -> User | None:
    """Sign a citizen in by mobile number and password; None if they do not match.

    Goes through ``authenticate`` so that django-axes counts failures; an unknown number is
    checked the same way (and as slowly) as a wrong password, under its keyed hash: django-axes
    stores the name it is given in clear, and a number that is not (or no longer) an account's
    must not end up in its tables either.
    """
    try:
        phone = validate_mobile(phone)
    except ValidationError:
        return None
    citizen = citizen_by_phone(phone)
    username = citizen.username if citizen is not None else f"phone:{lookup_hash(LOOKUP_PHONE, phone)[:32]}"
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_citizen:
        return None
    login(request, user)
    return user


def citizen_sign_in_with_code(*, request: HttpRequest, phone: str, code: str) -> User:
    """Sign a citizen in with an SMS code; raises SmsCodeError."""
    sms_code_redeem(phone=phone, purpose=SmsCode.Purpose.SIGN_IN, code=code)
    citizen = citizen_by_phone(validate_mobile(phone))
    if citizen is None or not citizen.is_active:
        raise SmsCodeError(_("验证码不正确。"), code="wrong")
    login(request, citizen, backend="django.contrib.auth.backends.ModelBackend")
    return citizen


def citizen_reset_password(*, phone: str, code: str, password: str) -> User:
    """Set a new password after an SMS code; errors are keyed by form field (``code``, ``password``)."""
    citizen = citizen_by_phone(validate_mobile(phone))
    try:
        validate_password(password, citizen)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    try:
        sms_code_redeem(phone=phone, purpose=SmsCode.Purpose.RESET, code=code)
    except SmsCodeError as exc:
        raise ValidationError({"code": exc.messages}) from exc
    if citizen is None or not citizen.is_active:  # no code was ever delivered to this number
        raise ValidationError({"code": _("验证码不正确。")})
    citizen.set_password(password)
    citizen.save(update_fields=["password"])
    return citizen
