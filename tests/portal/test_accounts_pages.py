"""Sign-up, sign-in and password reset pages of the portal."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

from tests.conftest import PASSWORD
from tests.portal.conftest import last_code
from xinfang.accounts.models import User
from xinfang.accounts.selectors import citizen_by_phone
from xinfang.notifications import sms
from xinfang.portal import views_account

pytestmark = pytest.mark.django_db
SIGN_UP = {
    "real_name": "李四",
    "id_number": "440106199001011235",
    "phone": "13912345678",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def test_a_citizen_signs_up_with_an_sms_code_and_lands_on_their_letters(client: Client) -> None:
    page = client.post("/account/sign-up/", {**SIGN_UP, "action": "send_code"})
    assert page.status_code == 200
    assert "验证码已发送" in page.content.decode()
    assert 'value="440106199001011235"' in page.content.decode()  # what was typed stays
    response = client.post("/account/sign-up/", {**SIGN_UP, "code": last_code()})
    assert response.status_code == 302 and response["Location"] == "/my/letters/"
    user = citizen_by_phone("13912345678")
    assert user is not None and user.is_citizen
    assert client.get("/my/letters/").status_code == 200


def test_a_wrong_id_number_is_explained_next_to_the_field_and_the_rest_is_kept(client: Client) -> None:
    page = client.post("/account/sign-up/", {**SIGN_UP, "id_number": "440106199001011234", "code": "123456"})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="id_id_number_error"' in body and "校验位" in body
    assert 'value="李四"' in body and 'value="13912345678"' in body
    assert citizen_by_phone("13912345678") is None


def test_the_code_button_works_in_the_background_too(client: Client) -> None:
    response = client.post("/account/code/", {"phone": "13912345678", "purpose": "sign_up"})
    assert response.status_code == 200 and response.json()["ok"] is True
    assert sms.outbox[-1].number == "13912345678"
    again = client.post("/account/code/", {"phone": "13912345678", "purpose": "sign_up"})
    assert again.status_code == 400 and "秒后" in again.json()["message"]


def test_the_code_endpoint_refuses_an_unknown_purpose(client: Client) -> None:
    assert client.post("/account/code/", {"phone": "13912345678", "purpose": "admin"}).status_code == 400


def test_a_citizen_signs_in_with_mobile_and_password(client: Client, citizen: User) -> None:
    response = client.post("/account/sign-in/", {"phone": "138 0013 8000", "password": PASSWORD, "next": "/lookup/"})
    assert response.status_code == 302 and response["Location"] == "/lookup/"


def test_a_wrong_password_gets_one_message_that_does_not_say_which_part_was_wrong(
    client: Client, citizen: User
) -> None:
    wrong = client.post("/account/sign-in/", {"phone": "13800138000", "password": "not-it"}).content.decode()
    unknown = client.post("/account/sign-in/", {"phone": "13700000000", "password": "not-it"}).content.decode()
    assert "手机号码或密码不正确" in wrong and "手机号码或密码不正确" in unknown
    assert 'value="13800138000"' in wrong


def test_a_failed_sign_in_leaves_no_phone_number_in_clear(client: Client, citizen: User) -> None:
    """django-axes keeps the typed user name of every failure: never the number itself."""
    client.post("/account/sign-in/", {"phone": "13800138000", "password": "not-it"})
    client.post("/account/sign-in/", {"phone": "13700000000", "password": "not-it"})
    names = [*AccessAttempt.objects.values_list("username", flat=True)]
    names += AccessFailureLog.objects.values_list("username", flat=True)
    assert len(names) >= 2
    assert not [name for name in names if "13800138000" in name or "13700000000" in name]
    for _ in range(4):  # the unknown number is still counted, and locked out, under its hash
        client.post("/account/sign-in/", {"phone": "13700000000", "password": "not-it"})
    assert AccessAttempt.objects.filter(username__startswith="phone:", failures_since_start__gte=5).exists()


def test_an_outside_next_address_is_ignored(client: Client, citizen: User) -> None:
    response = client.post(
        "/account/sign-in/", {"phone": "13800138000", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/my/letters/"


def test_a_citizen_signs_in_with_an_sms_code(client: Client, citizen: User) -> None:
    client.post("/account/sign-in/code/", {"phone": "13800138000", "action": "send_code"})
    response = client.post("/account/sign-in/code/", {"phone": "13800138000", "code": last_code()})
    assert response.status_code == 302
    assert client.get("/my/letters/").status_code == 200


def test_a_wrong_sign_in_code_is_reported_on_the_code_field(client: Client, citizen: User) -> None:
    client.post("/account/sign-in/code/", {"phone": "13800138000", "action": "send_code"})
    wrong = "000000" if last_code() != "000000" else "111111"
    body = client.post("/account/sign-in/code/", {"phone": "13800138000", "code": wrong}).content.decode()
    assert 'id="id_code_error"' in body and "验证码不正确" in body


def test_a_password_is_reset_by_sms_code(client: Client, citizen: User) -> None:
    client.post("/account/reset/", {"phone": "13800138000", "action": "send_code"})
    form = {"phone": "13800138000", "code": last_code(), "password1": "new-long-passphrase", "password2": "x"}
    mismatch = client.post("/account/reset/", form).content.decode()
    assert "两次输入的密码不一致" in mismatch
    done = client.post("/account/reset/", {**form, "password2": "new-long-passphrase"})
    assert "密码已重设" in done.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password("new-long-passphrase")


def test_sign_out_needs_a_post(citizen_client: Client) -> None:
    assert citizen_client.get("/account/sign-out/").status_code == 405
    assert citizen_client.post("/account/sign-out/").status_code == 302
    assert citizen_client.get("/my/letters/").status_code == 302


def test_the_pages_speak_english(client: Client) -> None:
    body = client.get("/account/sign-up/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Resident ID number" in body and "Send SMS code" in body


# ---------------------------------------------------------------- sign-up is no oracle (issue 13)

REGISTERED_ID = "11010519491231002X"  # the citizen fixture's


def _as_seen(response: Any, *typed: str) -> tuple[int, list[str], str]:
    """What a visitor can compare between two visits: status, templates and page, with what they
    typed and the CSRF token blanked out."""
    body = response.content.decode()
    for value in typed:
        body = body.replace(value, "…")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return response.status_code, [t.name for t in response.templates if t.name], body


def _try_sign_up(id_number: str, phone: str) -> list[tuple[int, list[str], str]]:
    client = Client()
    form = {**SIGN_UP, "id_number": id_number, "phone": phone}
    sent = client.post("/account/sign-up/", {**form, "action": "send_code"})
    wrong = "000000" if last_code() != "000000" else "111111"
    refused = client.post("/account/sign-up/", {**form, "code": wrong})
    return [_as_seen(sent, id_number, phone), _as_seen(refused, id_number, phone)]


def test_a_registered_and_a_new_id_number_look_the_same_until_the_code(citizen: User) -> None:
    registered = _try_sign_up(REGISTERED_ID, "13912345678")
    new = _try_sign_up("440106199001011235", "13712345678")
    assert registered == new
    assert "验证码已发送" in registered[0][2] and "验证码不正确" in registered[1][2]
    assert "已经注册" not in registered[1][2]


def test_after_the_code_a_registered_id_number_is_sent_to_sign_in(client: Client, citizen: User) -> None:
    form = {**SIGN_UP, "id_number": REGISTERED_ID}
    client.post("/account/sign-up/", {**form, "action": "send_code"})
    response = client.post("/account/sign-up/", {**form, "code": last_code()})
    body = response.content.decode()
    assert response.status_code == 200
    assert "portal/account/sign_up_registered.html" in [t.name for t in response.templates]
    assert "已经注册过账户" in body and 'href="/account/sign-in/' in body and 'href="/account/reset/"' in body
    assert citizen_by_phone(SIGN_UP["phone"]) is None
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 1


def test_the_same_id_number_in_full_width_digits_is_the_same_person(client: Client) -> None:
    first = {**SIGN_UP, "id_number": REGISTERED_ID}
    client.post("/account/sign-up/", {**first, "action": "send_code"})
    assert client.post("/account/sign-up/", {**first, "code": last_code()}).status_code == 302
    client.post("/account/sign-out/")
    again = {**SIGN_UP, "id_number": "１１０１０５１９４９１２３１００２ｘ", "phone": "13712345678"}
    client.post("/account/sign-up/", {**again, "action": "send_code"})
    response = client.post("/account/sign-up/", {**again, "code": last_code()})
    assert "已经注册过账户" in response.content.decode()
    assert citizen_by_phone("13712345678") is None


def test_sign_up_attempts_for_one_number_are_limited(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views_account, "SIGN_UP_PER_NUMBER", 3)
    client.post("/account/sign-up/", {**SIGN_UP, "action": "send_code"})
    for _ in range(3):
        client.post("/account/sign-up/", {**SIGN_UP, "code": "000000"})
    from_elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    body = from_elsewhere.post("/account/sign-up/", {**SIGN_UP, "code": last_code()}).content.decode()
    assert "注册尝试过于频繁，请一小时后再试" in body
    assert citizen_by_phone(SIGN_UP["phone"]) is None


def test_sign_up_attempts_from_one_address_are_limited(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views_account, "SIGN_UP_PER_CLIENT", 3)
    for index in range(3):
        client.post("/account/sign-up/", {**SIGN_UP, "phone": f"1371234567{index}", "code": "000000"})
    client.post("/account/sign-up/", {**SIGN_UP, "action": "send_code"})
    body = client.post("/account/sign-up/", {**SIGN_UP, "code": last_code()}).content.decode()
    assert "注册尝试过于频繁" in body
    assert (
        Client(REMOTE_ADDR="198.51.100.7").post("/account/sign-up/", {**SIGN_UP, "code": last_code()}).status_code
        == 302
    )


def test_a_too_long_mobile_number_is_explained_next_to_the_field(client: Client) -> None:
    body = client.post("/account/sign-up/", {**SIGN_UP, "phone": "138 0013 8000 0000 0000 00"}).content.decode()
    assert 'id="id_phone_error"' in body and "手机号码太长" in body
    assert 'value="李四"' in body
