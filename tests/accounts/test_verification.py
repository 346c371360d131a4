"""The verification back-ends (accounts.verification): the identity platform's claims mapped to a
verified identity, the format-only back-end refused in production unless the operator allows it,
and the deploy check that says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings

from tests.conftest import make_staff
from xinfang.accounts.models import Role, SmsCode, User
from xinfang.accounts.services import citizen_create
from xinfang.accounts.verification import (
    FORMAT_ONLY,
    OIDC,
    VerificationFailed,
    check_identity_verification,
    enabled_backends,
    identity_from_claims,
)
from xinfang.orgs.models import Unit

CLAIMS = {"sub": "42", "name": " 张三 ", "id_number": "44010619850101231x", "phone_number": "+86 138-0013-8000"}
PLATFORM = {
    "XINFANG_OIDC_ISSUER": "https://ids.example.gov.cn/openid",
    "XINFANG_OIDC_CLIENT_ID": "xinfang",
    "XINFANG_OIDC_CLIENT_SECRET": "s3cret",
}


def configure(settings: Settings, *, production: bool, backends: list[str], allow: bool = False, **extra: Any) -> None:
    settings.PRODUCTION = production
    settings.XINFANG_IDENTITY_BACKENDS = backends
    settings.XINFANG_IDENTITY_ALLOW_FORMAT_ONLY = allow
    for name, value in {**PLATFORM, **extra}.items():
        setattr(settings, name, value)


def check_ids(settings: Settings) -> set[str]:
    return {message.id for message in check_identity_verification() if message.id}


# ---------------------------------------------------------------- claims


def test_the_claims_fill_the_verified_identity_in_their_stored_form() -> None:
    identity = identity_from_claims(CLAIMS)

    assert (identity.real_name, identity.id_number, identity.phone) == ("张三", "44010619850101231X", "13800138000")
    assert identity.method == OIDC


def test_the_id_number_claim_is_the_one_the_operator_names(settings: Settings) -> None:
    settings.XINFANG_OIDC_ID_NUMBER_CLAIM = "sfzh"
    claims = {**CLAIMS, "sfzh": CLAIMS["id_number"], "id_number": "not this one"}

    assert identity_from_claims(claims).id_number == "44010619850101231X"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"name": ""}, "姓名"),
        ({"name": "张"}, "姓名"),
        ({"id_number": None}, "身份证号码"),
        ({"id_number": "110101199003074515"}, "身份证号码"),  # wrong check digit
        ({"id_number": 110101199003074514}, "身份证号码"),  # not a string
        ({"phone_number": ""}, "手机号码"),
        ({"phone_number": "010-12345678"}, "手机号码"),  # a landline
    ],
)
def test_a_missing_or_malformed_claim_refuses_the_sign_in_and_names_it(change: dict[str, Any], named: str) -> None:
    with pytest.raises(VerificationFailed) as refused:
        identity_from_claims({**CLAIMS, **change})

    assert f"没有提供有效的{named}" in str(refused.value)


# ---------------------------------------------------------------- which back-ends are usable


def test_outside_production_both_back_ends_are_offered(settings: Settings) -> None:
    configure(settings, production=False, backends=[OIDC, FORMAT_ONLY])

    assert enabled_backends() == (OIDC, FORMAT_ONLY)
    assert check_ids(settings) == set()


def test_production_refuses_the_format_only_back_end_and_the_deploy_check_says_so(settings: Settings) -> None:
    configure(settings, production=True, backends=[OIDC, FORMAT_ONLY])

    assert enabled_backends() == (OIDC,)
    assert check_ids(settings) == {"accounts.E003"}


def test_an_operator_may_allow_the_format_only_back_end_in_production(settings: Settings) -> None:
    configure(settings, production=True, backends=[FORMAT_ONLY], allow=True)

    assert enabled_backends() == (FORMAT_ONLY,)
    assert check_ids(settings) == set()


def test_production_with_no_usable_back_end_fails_the_deploy_check(settings: Settings) -> None:
    configure(settings, production=True, backends=[OIDC, FORMAT_ONLY], XINFANG_OIDC_CLIENT_SECRET="")

    assert enabled_backends() == ()
    assert check_ids(settings) == {"accounts.E002", "accounts.E003", "accounts.E004"}


def test_an_unknown_back_end_is_named_by_the_deploy_check(settings: Settings) -> None:
    configure(settings, production=False, backends=["ldap"])

    assert check_ids(settings) == {"accounts.E001"}


# ---------------------------------------------------------------- the pages


@pytest.mark.django_db
def test_the_sign_up_form_is_labelled_format_check_only(client: Client, settings: Settings) -> None:
    configure(settings, production=False, backends=[OIDC, FORMAT_ONLY])

    body = client.get("/account/sign-up/").content.decode()

    assert "仅核对格式" in body and 'name="id_number"' in body
    assert "/account/identity/platform/" in body


@pytest.mark.django_db
def test_where_format_only_is_refused_sign_up_offers_only_the_platform_and_sends_no_code(
    client: Client, settings: Settings
) -> None:
    configure(settings, production=True, backends=[OIDC, FORMAT_ONLY])
    form = {
        "real_name": "李四",
        "id_number": "110101199003074514",
        "phone": "13900139000",
        "code": "123456",
        "password1": "a-long-passphrase-1",
        "password2": "a-long-passphrase-1",
    }

    page = client.get("/account/sign-up/").content.decode()
    posted = client.post("/account/sign-up/", {**form, "action": "send_code"})
    background = client.post("/account/code/", {"purpose": "sign_up", "phone": "13900139000"})

    assert 'name="id_number"' not in page and "/account/identity/platform/" in page
    assert 'name="id_number"' not in posted.content.decode()
    assert background.status_code == 400
    assert not SmsCode.objects.exists() and not mail.outbox
    assert not User.objects.filter(kind=User.Kind.CITIZEN).exists()


@pytest.mark.django_db
def test_the_platform_pages_are_not_there_when_the_platform_is_not_configured(
    client: Client, settings: Settings
) -> None:
    configure(settings, production=False, backends=[FORMAT_ONLY])

    assert client.get("/account/identity/platform/").status_code == 404
    assert "/account/identity/platform/" not in client.get("/account/sign-in/").content.decode()


def test_the_identity_page_shows_the_citizen_their_own_identity_only(client: Client, tree: None) -> None:
    mine = citizen_create(
        real_name="李四", id_number="110101199003074514", phone="13900139000", password=None, phone_verified_at=None
    )
    citizen_create(
        real_name="王芳", id_number="44010619850101231X", phone="13900139001", password=None, phone_verified_at=None
    )
    staff = make_staff("gd-desk", Unit.objects.get(code="440000"), Role.ACCEPTOR)

    assert client.get("/account/identity/")["Location"].startswith("/account/sign-in/")
    client.force_login(staff)
    assert client.get("/account/identity/").status_code == 403
    client.force_login(mine)
    body = client.get("/account/identity/").content.decode()
    assert "李四" in body and "王芳" not in body and "仅核对格式" in body
    assert "110101199003074514" not in body and "1101**********4514" in body
