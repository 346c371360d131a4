"""One spelling for identity numbers: every look-up, limit and stored hash sees ``１３８…`` as ``138…``."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from xinfang.accounts.models import CitizenIdentity, SmsCode, User
from xinfang.accounts.selectors import citizen_by_phone, id_number_registered
from xinfang.accounts.services import SmsCodeRateLimited, citizen_create, sms_code_send
from xinfang.letters.services import letter_submit
from xinfang.notifications import sms
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel, LetterType

pytestmark = pytest.mark.django_db
FULL_WIDTH_PHONE = "１３８ ００１３ ８０００"


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_a_seat_finds_the_caller_by_a_number_in_full_width_digits(citizen: User) -> None:
    assert citizen_by_phone(FULL_WIDTH_PHONE) == citizen
    assert citizen_by_phone("+86 138-0013-8000") == citizen
    assert id_number_registered("１１０１０５１９４９１２３１００２ｘ")


def test_a_citizen_signs_in_with_the_number_in_full_width_digits(client: Client, citizen: User) -> None:
    response = client.post("/account/sign-in/", {"phone": FULL_WIDTH_PHONE, "password": PASSWORD})
    assert response.status_code == 302


def test_a_number_in_another_spelling_gets_no_second_allowance_of_sms_codes() -> None:
    sms_code_send(phone="13912345678", purpose=SmsCode.Purpose.SIGN_UP, client_address="203.0.113.7")
    with pytest.raises(SmsCodeRateLimited, match="秒后"):
        sms_code_send(phone="１３９－１２３４－５６７８", purpose=SmsCode.Purpose.SIGN_UP, client_address="203.0.113.8")
    assert len(sms.outbox) == 1


def test_the_accused_badge_number_is_stored_in_one_spelling(citizen: User, gd_mailbox: Mailbox) -> None:
    letter = letter_submit(
        mailbox=gd_mailbox, actor=citizen, letter_type=LetterType.COMPLAINT, channel=Channel.WEB,
        subject="民警态度恶劣", text="天河区某派出所民警态度恶劣，警号见上。", division_code="440106",
        accused_badge_number="０１２ ３４５",
    ).letter  # fmt: skip
    letter.refresh_from_db()
    assert letter.accused_badge_number == "012345"


def test_the_migration_rewrites_identities_stored_in_another_spelling() -> None:
    """Before the fix a partly full-width ID number was stored, and hashed, as typed."""
    user = citizen_create(
        real_name="赵六", id_number="440106199001011235", phone="13912345678", password=None,
        phone_verified_at=timezone.now(),
    )  # fmt: skip
    identity = CitizenIdentity.objects.get(user=user)
    identity.id_number, identity.phone = "11０１０５１９４９１２３１００２X", "13９１２３４５６７８"
    CitizenIdentity.objects.filter(pk=identity.pk).update(
        id_number=identity.id_number,  # the field encrypts; the hashes below are of the old spelling
        phone=identity.phone,
        id_number_hash="old-spelling",
        phone_hash="old-spelling",
    )
    migration = importlib.import_module(
        "xinfang.accounts.migrations.0007_citizenidentity_normalise_id_number_and_phone"
    )
    migration.normalise_identities(apps, None)
    identity.refresh_from_db()
    assert (identity.id_number, identity.phone) == ("11010519491231002X", "13912345678")
    assert id_number_registered("11010519491231002X")
    assert citizen_by_phone("13912345678") == user
