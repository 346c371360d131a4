"""Sign-in through the provincial identity platform (OpenID Connect), against a real provider.

The provider is django-oidc-provider in its own process (tests/oidc_provider); the resident's part
(sign in at the platform, allow or decline) is done over HTTP as a browser would, the product's
part through Django's test client. tests/browser/test_identity_platform.py does it all in Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlparse, urlsplit, urlunsplit

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from joserfc.jwk import RSAKey
from pytest_django.fixtures import Settings

from tests.oidc_provider.process import Provider, sign_in_and_consent, start_provider
from tests.oidc_provider.site import RESIDENTS
from xinfang.accounts import oidc
from xinfang.accounts.models import CitizenIdentity, User, VerificationMethod
from xinfang.accounts.selectors import citizen_by_id_number
from xinfang.accounts.services import citizen_create

CALLBACK = "http://testserver/account/identity/platform/callback/"
START = "/account/identity/platform/"
NAME, ID_NUMBER, PHONE = RESIDENTS["zhangsan"]


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with start_provider([CALLBACK]) as running:
        yield running


@pytest.fixture(autouse=True)
def relying_party(settings: Settings, provider: Provider) -> None:
    for name, value in provider.relying_party_settings().items():
        setattr(settings, name, value)
    settings.XINFANG_IDENTITY_BACKENDS = ["oidc", "format"]


def _start(client: Client, next_url: str = "/my/letters/") -> str:
    response = client.get(START, {"next": next_url})
    assert response.status_code == 302
    return str(response["Location"])


def _callback_path(location: str) -> str:
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.mark.django_db
def test_it_opens_a_verified_account_from_the_platforms_claims(client: Client) -> None:
    authorize = _start(client)
    query = parse_qs(urlparse(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]

    response = client.get(_callback_path(sign_in_and_consent(authorize, username="zhangsan")), follow=True)

    citizen = _signed_in_user(client)
    assert citizen is not None and citizen.is_citizen and not citizen.has_usable_password()
    identity = CitizenIdentity.objects.get(user=citizen)
    assert (identity.real_name, identity.id_number, identity.phone) == (NAME, ID_NUMBER, PHONE)
    assert identity.verified_by == VerificationMethod.OIDC and identity.phone_verified_at is not None
    assert response.redirect_chain[-1][0] == "/my/letters/"
    assert f"完成实名认证：{NAME}" in response.content.decode()
    assert NAME in client.get("/account/identity/").content.decode()


@pytest.mark.django_db
def test_an_account_already_bound_to_the_id_number_is_signed_into_not_duplicated(client: Client) -> None:
    existing = citizen_create(
        real_name="张叁", id_number=ID_NUMBER, phone="13700137000", password="x-pass-1234", phone_verified_at=None
    )
    before = User.objects.count()

    client.get(_callback_path(sign_in_and_consent(_start(client), username="zhangsan")))

    assert _signed_in_user(client) == existing and User.objects.count() == before
    identity = CitizenIdentity.objects.get(user=existing)
    assert (identity.real_name, identity.phone, identity.verified_by) == (NAME, PHONE, VerificationMethod.OIDC)
    assert existing.has_usable_password()  # the password the citizen chose still works


@pytest.mark.django_db
def test_declined_consent_says_so_and_opens_no_account(client: Client) -> None:
    location = sign_in_and_consent(_start(client), username="zhangsan", allow=False)
    assert "error=access_denied" in location

    response = client.get(_callback_path(location))

    assert response.status_code == 400
    assert "您没有同意向本系统提供身份信息" in response.content.decode()
    assert _signed_in_user(client) is None and citizen_by_id_number(ID_NUMBER) is None


@pytest.mark.django_db
def test_a_callback_this_session_did_not_start_is_refused(client: Client) -> None:
    location = sign_in_and_consent(_start(client), username="zhangsan")
    stranger = Client()  # the link opened in another browser: a replayed or planted callback

    response = stranger.get(_callback_path(location))

    assert response.status_code == 400
    assert "登录链接已失效或不是从本页面发起的" in response.content.decode()
    assert _signed_in_user(stranger) is None and citizen_by_id_number(ID_NUMBER) is None


@pytest.mark.django_db
def test_a_forged_state_is_refused(client: Client) -> None:
    location = sign_in_and_consent(_start(client), username="zhangsan")
    parts = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = "forged-" + query["state"]

    response = client.get(f"{parts.path}?{urlencode(query)}")

    assert "登录链接已失效或不是从本页面发起的" in response.content.decode()
    assert citizen_by_id_number(ID_NUMBER) is None


@pytest.mark.django_db
def test_an_id_token_not_signed_by_the_platforms_key_is_refused(
    client: Client, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = sign_in_and_consent(_start(client), username="zhangsan")
    real_key = requests.get(f"{provider.issuer}/jwks", timeout=10).json()["keys"][0]
    other = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    impostor = {**other.as_dict(private=False), "kid": real_key["kid"], "alg": "RS256", "use": "sig"}
    build = oidc._client

    def client_with_the_wrong_key() -> object:
        made = build()
        made.server_metadata["jwks"] = {"keys": [impostor]}
        return made

    monkeypatch.setattr(oidc, "_client", client_with_the_wrong_key)
    response = client.get(_callback_path(location))

    assert response.status_code == 400
    assert "返回的身份信息未通过校验" in response.content.decode()
    assert _signed_in_user(client) is None and citizen_by_id_number(ID_NUMBER) is None


@pytest.mark.django_db
def test_a_platform_that_cannot_be_reached_gives_a_clear_message(client: Client, settings: Settings) -> None:
    settings.XINFANG_OIDC_ISSUER = "http://127.0.0.1:9/openid"  # discard port: nothing listens

    response = client.get(START)

    assert response.status_code == 400
    assert "暂时无法连接省统一身份认证平台" in response.content.decode()


@pytest.mark.django_db
def test_the_message_is_translated(client: Client) -> None:
    location = sign_in_and_consent(_start(client), username="zhangsan", allow=False)

    response = client.get(_callback_path(location), HTTP_ACCEPT_LANGUAGE="en")

    assert "You did not agree to share your identity" in response.content.decode()
