from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError

from xinfang.accounts.models import SmsCode, User
from xinfang.accounts.services import (
    SMS_CODE_MAX_ATTEMPTS,
    SMS_PER_CLIENT_PER_HOUR,
    SMS_PER_NUMBER_PER_DAY,
    SMS_PER_NUMBER_PER_HOUR,
    SmsCodeError,
    SmsCodeRateLimited,
    sms_code_redeem,
    sms_code_send,
)
from xinfang.notifications import sms

PHONE = "13912345678"
SIGN_UP = SmsCode.Purpose.SIGN_UP
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def last_code() -> str:
    match = re.search(r"\d{6}", sms.outbox[-1].text)
    assert match is not None
    return match.group(0)


def send(phone: str = PHONE, purpose: str = SIGN_UP, client: str = "203.0.113.7") -> None:
    sms_code_send(phone=phone, purpose=purpose, client_address=client)


def test_a_code_is_sent_by_sms_and_stored_only_as_a_keyed_hash() -> None:
    send()
    code = last_code()
    assert sms.outbox[-1].number == PHONE
    row = SmsCode.objects.get()
    assert code not in row.code_hash and PHONE not in row.phone_digest and PHONE not in row.client_digest


def test_a_code_works_once() -> None:
    send()
    code = last_code()
    sms_code_redeem(phone=PHONE, purpose=SIGN_UP, code=code)
    with pytest.raises(SmsCodeError):
        sms_code_redeem(phone=PHONE, purpose=SIGN_UP, code=code)


def test_a_code_expires_after_five_minutes() -> None:
    with time_machine.travel(START, tick=False) as clock:
        send()
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        with pytest.raises(SmsCodeError) as caught:
            sms_code_redeem(phone=PHONE, purpose=SIGN_UP, code=last_code())
    assert caught.value.code == "expired"


def test_a_code_is_for_its_purpose_only() -> None:
    send()
    with pytest.raises(SmsCodeError):
        sms_code_redeem(phone=PHONE, purpose=SmsCode.Purpose.RESET, code=last_code())


def test_too_many_wrong_guesses_kill_the_code() -> None:
    send()
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(SMS_CODE_MAX_ATTEMPTS):
        with pytest.raises(SmsCodeError):
            sms_code_redeem(phone=PHONE, purpose=SIGN_UP, code=wrong)
    with pytest.raises(SmsCodeError) as caught:
        sms_code_redeem(phone=PHONE, purpose=SIGN_UP, code=code)
    assert caught.value.code == "attempts"


def test_a_new_code_replaces_the_previous_one() -> None:
    with time_machine.travel(START, tick=False) as clock:
        send()
        first = last_code()
        clock.shift(dt.timedelta(seconds=61))
        send()
        second = last_code()
    with time_machine.travel(START + dt.timedelta(seconds=90), tick=False):
        if first != second:
            with pytest.raises(SmsCodeError):
                sms_code_redeem(phone=PHONE, purpose=SIGN_UP, code=first)
        sms_code_redeem(phone=PHONE, purpose=SIGN_UP, code=second)


def test_a_number_gets_one_code_a_minute() -> None:
    with time_machine.travel(START, tick=False) as clock:
        send()
        with pytest.raises(SmsCodeRateLimited) as caught:
            send()
        assert caught.value.code == "resend"
        clock.shift(dt.timedelta(seconds=61))
        send()
    assert len(sms.outbox) == 2


def test_a_number_gets_a_few_codes_an_hour_and_a_day() -> None:
    with time_machine.travel(START, tick=False) as clock:
        for _sent in range(SMS_PER_NUMBER_PER_HOUR):
            send()
            clock.shift(dt.timedelta(minutes=2))
        with pytest.raises(SmsCodeRateLimited) as hourly:
            send()
        assert hourly.value.code == "number_hour"
        for _sent in range(SMS_PER_NUMBER_PER_DAY - SMS_PER_NUMBER_PER_HOUR):
            clock.shift(dt.timedelta(minutes=61))
            send()
        clock.shift(dt.timedelta(minutes=61))
        with pytest.raises(SmsCodeRateLimited) as daily:
            send()
        assert daily.value.code == "number_day"


def test_one_address_cannot_ask_for_codes_for_many_numbers() -> None:
    with time_machine.travel(START, tick=False):
        for index in range(SMS_PER_CLIENT_PER_HOUR):
            send(phone=f"139000{index:05d}")
        with pytest.raises(SmsCodeRateLimited) as caught:
            send(phone="13700000000")
        send(phone="13700000000", client="198.51.100.1")
    assert caught.value.code == "client_hour"


def test_sign_in_codes_reach_only_registered_numbers_but_the_caller_cannot_tell(citizen: User) -> None:
    send(phone="13700000000", purpose=SmsCode.Purpose.SIGN_IN)
    assert sms.outbox == []
    assert SmsCode.objects.filter(purpose=SmsCode.Purpose.SIGN_IN).count() == 1
    send(phone="13800138000", purpose=SmsCode.Purpose.SIGN_IN)
    assert [m.number for m in sms.outbox] == ["13800138000"]


def test_a_failed_delivery_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(message: sms.SmsMessage) -> None:
        raise sms.SmsDeliveryError("gateway down")

    monkeypatch.setattr(sms.LocmemBackend, "send", lambda self, message: refuse(message))
    with pytest.raises(SmsCodeError) as caught:
        send()
    assert caught.value.code == "delivery"
    assert not SmsCode.objects.exists()


def test_nothing_is_sent_to_a_malformed_number() -> None:
    with pytest.raises(ValidationError):
        send(phone="12345")
    assert sms.outbox == []
