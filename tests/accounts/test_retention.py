"""Identity retention: a writer's identity is erased once their letters were finished long ago.

What goes: the citizen's name, ID number, phone and address (and the look-ups by them), the
account's e-mail address and the ability to sign in; an anonymous caller's number. What stays: the
letters, their timelines and the audit chain. An open letter, a recent letter or a recent sign-in
keeps the identity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from tests.conftest import PASSWORD
from tests.console.conftest import sign_in
from xinfang.accounts.models import CitizenIdentity, IdentityReveal, User
from xinfang.accounts.retention import ErasureCount, identities_erase
from xinfang.accounts.selectors import (
    anonymous_callers_by_phone,
    citizen_by_phone,
    id_number_registered,
    writer_identity,
)
from xinfang.accounts.services import citizen_create
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.audit.sealing import log_seal
from xinfang.audit.selectors import log_verify
from xinfang.letters.models import Letter, LetterEvent, RefusalReason
from xinfang.letters.services import letter_refuse, letter_submit
from xinfang.orgs.models import Mailbox
from xinfang.vocabulary import Channel, LetterType
from xinfang.worker.retention import retention_sweep

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NAME, ID_NUMBER, PHONE = "张三", "11010519491231002X", "13800138000"  # the citizen fixture's
EMAIL = "zhangsan@example.cn"
CALLER_PHONE = "13687654321"
FINISHED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
PERIOD = dt.timedelta(days=settings.XINFANG_IDENTITY_RETENTION_DAYS)
LATER = FINISHED + PERIOD + dt.timedelta(days=1)  # the retention period has passed since FINISHED
ERASED = "已按保存期限删除"

ConsoleClient = Callable[[User], Client]


def letter_from(citizen: User, mailbox: Mailbox, *, at: dt.datetime = FINISHED) -> Letter:
    with time_machine.travel(at, tick=False):
        return letter_submit(
            mailbox=mailbox, actor=citizen, letter_type=LetterType.INQUIRY, channel=Channel.WEB,
            subject="户口迁移咨询", text="请问从外省迁入广州市天河区的户口需要哪些材料？",
            division_code="440106", address="广州市天河区",
        ).letter  # fmt: skip


def anonymous_call(seat_agent: User, mailbox: Mailbox, *, at: dt.datetime = FINISHED) -> Letter:
    mailbox.channels = sorted({*mailbox.channels, Channel.TELEPHONE})
    mailbox.allows_anonymous_phone = True
    mailbox.save(update_fields=["channels", "allows_anonymous_phone"])
    with time_machine.travel(at, tick=False):
        return letter_submit(
            mailbox=mailbox, actor=seat_agent, letter_type=LetterType.REPORT, channel=Channel.TELEPHONE,
            subject="匿名举报赌博窝点", text="某小区地下室有人聚众赌博。", anonymous_phone=CALLER_PHONE,
        ).letter  # fmt: skip


def refused(letter: Letter, acceptor: User, *, at: dt.datetime = FINISHED) -> Letter:
    """``letter`` finished (not accepted) at ``at``."""
    with time_machine.travel(at, tick=False):
        return letter_refuse(letter=letter, actor=acceptor, reason=RefusalReason.NO_SUBSTANCE)


@pytest.fixture
def console_client() -> ConsoleClient:
    return lambda user: sign_in(Client(), user)


@pytest.fixture
def finished(citizen: User, gd_mailbox: Mailbox, acceptor: User) -> Letter:
    """The citizen's only letter, finished at FINISHED; the account has an e-mail address."""
    User.objects.filter(pk=citizen.pk).update(email=EMAIL)  # no service sets a citizen's address yet
    return refused(letter_from(citizen, gd_mailbox), acceptor)


def erasures() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=AuditKind.IDENTITY_ERASURE))


def erase_command(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("erase_identities", *args, stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------- citizens


def test_a_citizen_whose_letters_were_all_finished_long_ago_is_erased(
    client: Client, citizen: User, finished: Letter
) -> None:
    letter_before = Letter.objects.values().get(pk=finished.pk)
    timeline_before = list(LetterEvent.objects.filter(letter=finished).values())

    assert identities_erase(now=LATER) == ErasureCount(citizens=1, callers=0)

    identity = CitizenIdentity.objects.get(user=citizen)
    assert (identity.real_name, identity.id_number, identity.phone, identity.address) == ("", "", "", "")
    assert (identity.phone_hash, identity.id_number_hash, identity.erased_at) == ("", "", LATER)
    assert citizen_by_phone(PHONE) is None and not id_number_registered(ID_NUMBER)
    account = User.objects.get(pk=citizen.pk)
    assert (account.email, account.is_active, account.has_usable_password()) == ("", False, False)
    response = client.post("/account/sign-in/", {"phone": PHONE, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert Letter.objects.values().get(pk=finished.pk) == letter_before
    assert list(LetterEvent.objects.filter(letter=finished).values()) == timeline_before


def test_the_erasure_is_audited_without_identity_values_and_the_chain_stays_whole(
    citizen: User, finished: Letter
) -> None:
    identities_erase(now=LATER)

    [entry] = erasures()
    assert (entry.actor, entry.subject_type, entry.subject_id) == (None, "accounts.user", str(citizen.pk))
    assert entry.data == {"letters": 1, "account_closed": True}  # ids and counts, no identity values
    log_seal()
    assert log_verify().intact


def test_an_open_letter_keeps_the_identity(citizen: User, finished: Letter, gd_mailbox: Mailbox) -> None:
    letter_from(citizen, gd_mailbox)  # received at FINISHED, still waiting

    assert identities_erase(now=LATER) == ErasureCount()
    assert citizen_by_phone(PHONE) == citizen


def test_a_letter_finished_within_the_period_keeps_the_identity(
    citizen: User, finished: Letter, gd_mailbox: Mailbox, acceptor: User
) -> None:
    recent = FINISHED + dt.timedelta(days=30)
    refused(letter_from(citizen, gd_mailbox, at=recent), acceptor, at=recent)

    assert identities_erase(now=LATER) == ErasureCount()
    assert identities_erase(now=recent + PERIOD + dt.timedelta(days=1)) == ErasureCount(citizens=1)


def test_a_sign_in_within_the_period_keeps_the_identity(citizen: User, finished: Letter) -> None:
    with time_machine.travel(LATER - dt.timedelta(days=10), tick=False):
        Client().force_login(citizen)

    assert identities_erase(now=LATER) == ErasureCount()
    assert CitizenIdentity.objects.get(user=citizen).real_name == NAME


def test_a_citizen_without_letters_is_not_touched(citizen: User) -> None:
    assert identities_erase(now=LATER) == ErasureCount()
    assert CitizenIdentity.objects.get(user=citizen).erased_at is None


def test_erased_identities_do_not_collide_and_the_number_may_register_again(
    citizen: User, finished: Letter, gd_mailbox: Mailbox, acceptor: User
) -> None:
    second = citizen_create(
        real_name="李四", id_number="530102196503022279", phone="13600136000", password=PASSWORD,
        phone_verified_at=FINISHED,
    )  # fmt: skip
    refused(letter_from(second, gd_mailbox), acceptor)

    assert identities_erase(now=LATER) == ErasureCount(citizens=2)
    again = citizen_create(real_name=NAME, id_number=ID_NUMBER, phone=PHONE, password=PASSWORD, phone_verified_at=LATER)
    assert citizen_by_phone(PHONE) == again != citizen


# ---------------------------------------------------------------- anonymous callers


def test_an_anonymous_callers_number_is_erased_once_the_call_was_finished_long_ago(
    seat_agent: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    letter = refused(anonymous_call(seat_agent, gd_mailbox), acceptor)
    events = LetterEvent.objects.filter(letter=letter).count()

    assert identities_erase(now=LATER) == ErasureCount(callers=1)

    letter = Letter.objects.select_related("anonymous_caller").get(pk=letter.pk)
    assert letter.anonymous_caller is not None and letter.anonymous_caller.phone == ""
    assert not anonymous_callers_by_phone(CALLER_PHONE).exists()
    writer = writer_identity(letter)
    assert (writer.erased, writer.masked_name, writer.masked_phone) == (True, "匿名来电人", ERASED)
    assert LetterEvent.objects.filter(letter=letter).count() == events
    [entry] = erasures()
    assert (entry.subject_type, entry.subject_id, entry.data) == (
        "letters.anonymouscaller", str(letter.anonymous_caller_id), {"letters": 1},
    )  # fmt: skip
    log_seal()
    assert log_verify().intact


def test_an_anonymous_caller_with_an_open_letter_keeps_the_number(seat_agent: User, gd_mailbox: Mailbox) -> None:
    anonymous_call(seat_agent, gd_mailbox)

    assert identities_erase(now=LATER) == ErasureCount()
    assert anonymous_callers_by_phone(CALLER_PHONE).exists()


# ---------------------------------------------------------------- the command and the worker


def test_a_dry_run_counts_and_changes_nothing(
    citizen: User, finished: Letter, seat_agent: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    refused(anonymous_call(seat_agent, gd_mailbox), acceptor)

    out = erase_command("--dry-run")

    assert out.startswith("would erase: 1 citizens' identities, 1 anonymous callers' numbers")
    assert CitizenIdentity.objects.get(user=citizen).real_name == NAME
    assert anonymous_callers_by_phone(CALLER_PHONE).exists() and User.objects.get(pk=citizen.pk).is_active
    assert not erasures()


def test_running_twice_erases_nothing_the_second_time(citizen: User, finished: Letter) -> None:
    assert erase_command().startswith("erased: 1 citizens' identities, 0 anonymous callers' numbers")
    assert erase_command().startswith("erased: 0 citizens' identities, 0 anonymous callers' numbers")
    assert len(erasures()) == 1


@override_settings(XINFANG_IDENTITY_RETENTION_DAYS=0)
def test_a_retention_period_under_a_day_is_refused(citizen: User, finished: Letter) -> None:
    with pytest.raises(ImproperlyConfigured):
        identities_erase(now=LATER)
    with pytest.raises(CommandError):
        erase_command()
    assert CitizenIdentity.objects.get(user=citizen).erased_at is None


def test_the_daily_retention_job_erases_and_counts(citizen: User, finished: Letter) -> None:
    result = retention_sweep(now=LATER)

    assert (result["identities_erased"], result["callers_erased"]) == (1, 0)
    assert citizen_by_phone(PHONE) is None


# ---------------------------------------------------------------- pages


def test_the_console_letter_page_of_an_erased_writer_says_so(
    console_client: ConsoleClient, acceptor: User, finished: Letter
) -> None:
    identities_erase(now=LATER)

    page = console_client(acceptor).get(f"/console/letters/{finished.public_id}/")

    body = page.content.decode()
    assert page.status_code == 200 and ERASED in body and "张*" not in body
    assert f'action="/console/identity/{finished.public_id}/"' not in body  # nothing left to reveal


def test_the_reveal_page_of_an_erased_writer_says_so_and_records_nothing(
    console_client: ConsoleClient, acceptor: User, finished: Letter
) -> None:
    identities_erase(now=LATER)
    client = console_client(acceptor)

    page = client.post(
        f"/console/identity/{finished.public_id}/", {"category": "contact", "reason": "需电话联系信访人"}
    )

    assert page.status_code == 200 and "信访人身份已按保存期限删除" in page.content.decode()
    assert not IdentityReveal.objects.exists()


def test_an_english_page_says_erased_too(console_client: ConsoleClient, acceptor: User, finished: Letter) -> None:
    identities_erase(now=LATER)
    page = console_client(acceptor).get(f"/console/letters/{finished.public_id}/", HTTP_ACCEPT_LANGUAGE="en")

    body = page.content.decode()

    assert "erased under the retention period" in body
