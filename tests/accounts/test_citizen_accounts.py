from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import PASSWORD
from xinfang.accounts.models import SmsCode, User
from xinfang.accounts.selectors import citizen_by_phone, id_number_registered
from xinfang.accounts.services import (
    IdNumberRegistered,
    citizen_create,
    citizen_reset_password,
    citizen_sign_up,
    sms_code_send,
)
from xinfang.notifications import sms

pytestmark = pytest.mark.django_db
NEW_PHONE = "13912345678"
NEW_ID = "440106199001011235"


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def code_for(phone: str, purpose: str) -> str:
    sms_code_send(phone=phone, purpose=purpose, client_address="203.0.113.7")
    match = re.search(r"\d{6}", sms.outbox[-1].text)
    assert match is not None
    return match.group(0)


def sign_up(**overrides: str) -> User:
    fields = {"real_name": "李四", "id_number": NEW_ID, "phone": NEW_PHONE, "password": PASSWORD}
    fields.update(overrides)
    if "code" not in fields:
        fields["code"] = code_for(fields["phone"], SmsCode.Purpose.SIGN_UP)
    return citizen_sign_up(**fields)


def test_sign_up_creates_a_verified_real_name_citizen() -> None:
    user = sign_up(id_number=NEW_ID.replace("5", "5 ", 1))  # typed with a space
    assert user.is_citizen and user.check_password(PASSWORD)
    assert citizen_by_phone(NEW_PHONE) == user
    assert id_number_registered(NEW_ID)


def test_sign_up_needs_the_code_sent_to_the_number() -> None:
    code_for(NEW_PHONE, SmsCode.Purpose.SIGN_UP)
    with pytest.raises(ValidationError) as caught:
        sign_up(code="999999" if "999999" not in sms.outbox[-1].text else "888888")
    assert "code" in caught.value.message_dict
    assert citizen_by_phone(NEW_PHONE) is None


def test_a_registered_id_number_is_only_told_apart_after_the_code(citizen: User) -> None:
    """Before the code proves the phone, a registered ID number gets the same error as a new one."""
    code_for(NEW_PHONE, SmsCode.Purpose.SIGN_UP)
    wrong = "999999" if "999999" not in sms.outbox[-1].text else "888888"
    with pytest.raises(ValidationError) as registered:
        sign_up(id_number="11010519491231002X", code=wrong)
    with pytest.raises(ValidationError) as new:
        sign_up(code=wrong)
    assert registered.value.message_dict == new.value.message_dict == {"code": ["验证码不正确。"]}


def test_after_the_code_a_registered_id_number_opens_no_second_account(citizen: User) -> None:
    with pytest.raises(IdNumberRegistered) as caught:
        sign_up(id_number="11010519491231002X")
    assert "已经注册过账户" in caught.value.message_dict["id_number"][0]
    assert citizen_by_phone(NEW_PHONE) is None
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 1


@pytest.mark.parametrize(
    "spelling",
    [
        "１１０１０５１９４９１２３１００２ｘ",  # full-width digits and a lower-case x
        "11０１０５ １９４９１２３１ ００２x",  # partly full-width (passed validation before), spaced
        "110105-19491231-002.x",  # dashes and dots
    ],
)
def test_the_same_id_number_in_another_spelling_is_the_same_person(citizen: User, spelling: str) -> None:
    with pytest.raises(IdNumberRegistered):
        sign_up(id_number=spelling)
    assert citizen_by_phone(NEW_PHONE) is None


def test_a_registered_number_cannot_open_a_second_account(citizen: User) -> None:
    with pytest.raises(ValidationError) as caught:
        sign_up(phone="13800138000")
    assert "phone" in caught.value.message_dict


def test_citizen_create_validates_the_id_number() -> None:
    with pytest.raises(ValidationError):
        citizen_create(
            real_name="王五",
            id_number="440106199001011234",
            phone=NEW_PHONE,
            password=None,
            phone_verified_at=timezone.now(),
        )


def test_a_password_is_reset_with_a_code(citizen: User) -> None:
    code = code_for("13800138000", SmsCode.Purpose.RESET)
    citizen_reset_password(phone="13800138000", code=code, password="a-new-long-passphrase")
    citizen.refresh_from_db()
    assert citizen.check_password("a-new-long-passphrase")


def test_a_reset_for_an_unknown_number_sends_nothing_and_fails_on_the_code() -> None:
    sms_code_send(phone=NEW_PHONE, purpose=SmsCode.Purpose.RESET, client_address="203.0.113.7")
    assert sms.outbox == []
    with pytest.raises(ValidationError) as caught:
        citizen_reset_password(phone=NEW_PHONE, code="123456", password="a-new-long-passphrase")
    assert "code" in caught.value.message_dict


def test_a_weak_new_password_is_refused_before_the_code_is_used(citizen: User) -> None:
    code = code_for("13800138000", SmsCode.Purpose.RESET)
    with pytest.raises(ValidationError) as caught:
        citizen_reset_password(phone="13800138000", code=code, password="123")
    assert "password" in caught.value.message_dict
    citizen_reset_password(phone="13800138000", code=code, password="a-new-long-passphrase")
