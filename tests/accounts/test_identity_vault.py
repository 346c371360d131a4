"""Citizens' identities and anonymous callers' numbers are encrypted at rest and found by keyed hash.

What a person with a copy of the database must not learn: a writer's name, ID number, phone or
address. What staff and citizens must still be able to do: sign in by phone, be refused a second
account, find a caller's earlier letters, and keep working across a key rotation.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from importlib import import_module
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython
from django.db.models.functions import Cast
from django.test import override_settings
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.notifications.conftest import drain
from tests.test_vault import flip_one_byte
from xinfang.accounts.models import CitizenIdentity, User
from xinfang.accounts.reveal import identity_reveal
from xinfang.accounts.selectors import (
    anonymous_callers_by_phone,
    citizen_by_phone,
    citizen_identity,
    id_number_registered,
    writer_identity,
)
from xinfang.accounts.services import citizen_create
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.console.selectors_desk import caller_letters
from xinfang.letters.models import AnonymousCaller, Letter, LetterEvent
from xinfang.letters.services import letter_submit
from xinfang.notifications.models import Delivery
from xinfang.orgs.models import Mailbox
from xinfang.vault import VaultError, generate_key, is_current
from xinfang.vocabulary import Channel, LetterType

pytestmark = pytest.mark.django_db

NAME, ID_NUMBER, PHONE, ADDRESS = "欧阳明澈", "440305198706143510", "13912345678", "深圳市南山区粤海街道科苑路十五号"
CALLER_PHONE = "13687654321"
KEY_A, KEY_B = generate_key(), generate_key()


def make_citizen(name: str = NAME, id_number: str = ID_NUMBER, phone: str = PHONE, address: str = ADDRESS) -> User:
    return citizen_create(
        real_name=name, id_number=id_number, phone=phone, password=PASSWORD,
        phone_verified_at=timezone.now(), address=address,
    )  # fmt: skip


def make_second_citizen() -> User:
    return make_citizen("李四", "530102196503022279", "13600136000", "昆明市五华区")


def anonymous_call(seat_agent: User, mailbox: Mailbox, phone: str = CALLER_PHONE) -> Letter:
    mailbox.channels = sorted({*mailbox.channels, Channel.TELEPHONE})
    mailbox.allows_anonymous_phone = True
    mailbox.save()
    return letter_submit(
        mailbox=mailbox, actor=seat_agent, letter_type=LetterType.REPORT, channel=Channel.TELEPHONE,
        subject="匿名举报赌博窝点", text="某小区地下室有人聚众赌博。", anonymous_phone=phone,
    ).letter  # fmt: skip


def stored(model: type[models.Model], pk: Any, field: str) -> str:
    """The column as the database holds it (the field's decryption bypassed)."""
    value = model._base_manager.filter(pk=pk).values_list(Cast(field, models.TextField()), flat=True).get()
    assert isinstance(value, str)
    return value


def clear_values(identity: CitizenIdentity) -> tuple[str, str, str, str]:
    return identity.real_name, identity.id_number, identity.phone, identity.address


def identity_columns(user: User) -> list[str]:
    identity = CitizenIdentity.objects.get(user=user)
    return [stored(CitizenIdentity, identity.pk, f) for f in ("real_name", "id_number", "phone", "address")]


# ---------------------------------------------------------------- at rest


def test_a_citizens_identity_is_stored_encrypted_and_read_in_clear() -> None:
    citizen = make_citizen()
    columns = identity_columns(citizen)
    assert all(column.startswith("xv1:") for column in columns)
    assert not any(value in column for column in columns for value in (NAME, ID_NUMBER, PHONE, ADDRESS))
    identity = citizen_identity(User.objects.get(pk=citizen.pk))
    assert identity is not None
    assert (identity.real_name, identity.id_number, identity.phone, identity.address) == (
        NAME,
        ID_NUMBER,
        PHONE,
        ADDRESS,
    )


def test_a_citizens_name_is_not_kept_on_the_account() -> None:
    citizen = User.objects.get(pk=make_citizen().pk)
    assert citizen.first_name == "" and citizen.last_name == "" and citizen.get_full_name() == ""


def test_an_anonymous_callers_number_is_stored_encrypted(seat_agent: User, gd_mailbox: Mailbox) -> None:
    letter = anonymous_call(seat_agent, gd_mailbox)
    assert letter.anonymous_caller is not None
    column = stored(AnonymousCaller, letter.anonymous_caller.pk, "phone")
    assert column.startswith("xv1:") and CALLER_PHONE not in column
    fresh = Letter.objects.select_related("anonymous_caller").get(pk=letter.pk)
    assert writer_identity(fresh).phone == CALLER_PHONE and writer_identity(fresh).masked_phone == "136****4321"


def test_a_tampered_identity_is_refused_not_shown(citizen: User) -> None:
    identity = CitizenIdentity.objects.get(user=citizen)
    tampered = flip_one_byte(stored(CitizenIdentity, identity.pk, "real_name"), at=20)
    CitizenIdentity.objects.filter(pk=identity.pk).update(real_name=Cast(models.Value(tampered), models.TextField()))
    with pytest.raises(VaultError, match="fails authentication"):
        CitizenIdentity.objects.get(pk=identity.pk)


def test_dumpdata_writes_ciphertext_and_loaddata_reads_it_back(tmp_path: Path) -> None:
    citizen = make_citizen()
    fixture = tmp_path / "identities.json"
    call_command("dumpdata", "accounts.CitizenIdentity", output=str(fixture))
    text = fixture.read_text(encoding="utf-8")
    assert "xv1:" in text and not any(v in text for v in (NAME, ID_NUMBER, PHONE, ADDRESS))
    CitizenIdentity.objects.all().delete()
    call_command("loaddata", str(fixture), verbosity=0)
    identity = citizen_identity(User.objects.get(pk=citizen.pk))
    assert identity is not None and clear_values(identity) == (NAME, ID_NUMBER, PHONE, ADDRESS)
    assert citizen_by_phone(PHONE) == citizen


# ---------------------------------------------------------------- look-ups by keyed hash


def test_a_citizen_is_found_by_phone_and_id_number_through_the_keyed_hash() -> None:
    citizen = make_citizen()
    make_second_citizen()
    assert citizen_by_phone(PHONE) == citizen
    assert citizen_by_phone(" 139 1234 5678 ") == citizen
    assert citizen_by_phone("13912345679") is None and citizen_by_phone("") is None
    assert id_number_registered(ID_NUMBER) and id_number_registered(ID_NUMBER.lower())
    assert not id_number_registered("11010519491231002X") and not id_number_registered("")
    identity = CitizenIdentity.objects.get(user=citizen)
    assert PHONE not in identity.phone_hash and len(identity.phone_hash) == 64


def test_a_second_account_for_the_same_phone_is_refused() -> None:
    make_citizen()
    with pytest.raises(ValidationError) as refused:
        make_citizen(name="王五", id_number="530102196503022279")
    assert "phone" in refused.value.message_dict


def test_the_seat_finds_earlier_anonymous_calls_from_the_same_number(seat_agent: User, gd_mailbox: Mailbox) -> None:
    first = anonymous_call(seat_agent, gd_mailbox)
    other = anonymous_call(seat_agent, gd_mailbox, phone="13500135000")
    assert list(anonymous_callers_by_phone(CALLER_PHONE)) == [first.anonymous_caller]
    assert list(anonymous_callers_by_phone("")) == []
    assert list(caller_letters(seat_agent, CALLER_PHONE)) == [first]
    assert other not in caller_letters(seat_agent, CALLER_PHONE)


# ---------------------------------------------------------------- key rotation


@pytest.fixture
def under_key_a() -> Iterator[None]:
    with override_settings(XINFANG_VAULT_KEYS=[KEY_A]):
        yield


def rotate(**options: Any) -> str:
    buffer = StringIO()
    call_command("vault_rotate", stdout=buffer, **options)
    return buffer.getvalue()


def test_rotation_re_encrypts_under_the_new_key_and_the_old_key_can_then_go(
    under_key_a: None, seat_agent: User, gd_mailbox: Mailbox
) -> None:
    citizen, second = make_citizen(), make_second_citizen()
    caller = anonymous_call(seat_agent, gd_mailbox).anonymous_caller
    assert caller is not None
    before = identity_columns(citizen)
    with override_settings(XINFANG_VAULT_KEYS=[KEY_B, KEY_A]):
        identity = citizen_identity(User.objects.get(pk=citizen.pk))
        assert identity is not None and identity.real_name == NAME  # the old key still reads
        report = rotate(batch_size=1)
        assert "accounts.CitizenIdentity: 2 rows, 8 values re-encrypted, 0 look-up hashes rewritten" in report
        assert "letters.AnonymousCaller: 1 rows, 1 values re-encrypted" in report
        after = identity_columns(citizen)
        assert all(is_current(column) for column in after) and not set(after) & set(before)
        assert "0 values re-encrypted" in rotate().splitlines()[-1]  # a second run has nothing to do
    with override_settings(XINFANG_VAULT_KEYS=[KEY_B]):
        identity = citizen_identity(User.objects.get(pk=citizen.pk))
        assert identity is not None and (identity.real_name, identity.address) == (NAME, ADDRESS)
        assert citizen_identity(User.objects.get(pk=second.pk)) is not None
        assert AnonymousCaller.objects.get(pk=caller.pk).phone == CALLER_PHONE
        assert citizen_by_phone(PHONE) == citizen


def test_rotation_stops_and_names_the_row_when_a_key_was_removed_too_early(under_key_a: None) -> None:
    citizen = make_citizen()
    identity = CitizenIdentity.objects.get(user=citizen)
    with override_settings(XINFANG_VAULT_KEYS=[KEY_B]):
        with pytest.raises(VaultError):
            citizen_identity(User.objects.get(pk=citizen.pk))
        with pytest.raises(CommandError, match=f"accounts.CitizenIdentity #{identity.pk} real_name"):
            rotate()


def test_rotation_rewrites_the_look_up_hashes_after_the_look_up_key_changes() -> None:
    citizen = make_citizen()
    with override_settings(XINFANG_LOOKUP_KEY="a-new-look-up-key-" + "k" * 20):
        assert citizen_by_phone(PHONE) is None  # until the hashes are recomputed
        report = rotate()
        assert "accounts.CitizenIdentity: 1 rows, 0 values re-encrypted, 2 look-up hashes rewritten" in report
        assert citizen_by_phone(PHONE) == citizen and id_number_registered(ID_NUMBER)


# ---------------------------------------------------------------- the data migrations


def state_before(app_label: str, name: str) -> tuple[Any, Callable[[Any, Any], None]]:
    """The historical models just before ``name``'s first RunPython, and that RunPython's code."""
    loader = MigrationExecutor(connection).loader
    migration = loader.get_migration(app_label, name)
    state = loader.project_state((app_label, name), at_end=False)
    for operation in migration.operations:
        if isinstance(operation, RunPython):
            return state.apps, operation.code
        operation.state_forwards(app_label, state)
    raise AssertionError(f"{name} has no RunPython")


def test_the_migration_encrypts_existing_identities_and_clears_citizens_names() -> None:
    old_apps, forget_names = state_before("accounts", "0005_citizen_identity_encrypted_with_lookup_hashes")
    old_user, old_identity = old_apps.get_model("accounts", "User"), old_apps.get_model("accounts", "CitizenIdentity")
    user = old_user.objects.create(username="c-before-vault", kind="citizen", first_name=NAME)
    row = old_identity.objects.create(user=user, real_name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS)
    old_identity.objects.filter(pk=row.pk).update(phone_hash="", id_number_hash="")  # as the added columns start
    assert stored(CitizenIdentity, row.pk, "phone") == PHONE

    forget_names(old_apps, None)
    import_module("xinfang.accounts.migrations.0005_citizen_identity_encrypted_with_lookup_hashes").encrypt_identities(
        old_apps, None
    )

    assert not any(v in c for c in identity_columns(User.objects.get(pk=user.pk)) for v in (NAME, ID_NUMBER, PHONE))
    assert User.objects.get(pk=user.pk).first_name == ""
    assert citizen_by_phone(PHONE) == User.objects.get(pk=user.pk) and id_number_registered(ID_NUMBER)
    identity = CitizenIdentity.objects.get(pk=row.pk)
    assert (identity.real_name, identity.id_number, identity.phone, identity.address) == (
        NAME,
        ID_NUMBER,
        PHONE,
        ADDRESS,
    )


def test_the_migration_encrypts_existing_anonymous_callers_numbers() -> None:
    old_apps, encrypt_numbers = state_before("letters", "0005_anonymous_caller_phone_encrypted")
    row = old_apps.get_model("letters", "AnonymousCaller").objects.create(phone=CALLER_PHONE)
    assert stored(AnonymousCaller, row.pk, "phone") == CALLER_PHONE
    encrypt_numbers(old_apps, None)
    assert CALLER_PHONE not in stored(AnonymousCaller, row.pk, "phone")
    assert list(anonymous_callers_by_phone(CALLER_PHONE).values_list("pk", flat=True)) == [row.pk]
    assert AnonymousCaller.objects.get(pk=row.pk).phone == CALLER_PHONE


# ---------------------------------------------------------------- a dump of the database


def database_dump() -> str:
    """Everything in the database as text: SQLite's own dump, or pg_dump of the test database."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    db = connection.settings_dict
    pg_dump = Path(os.environ.get("XINFANG_PG_BIN", "/usr/lib/postgresql/15/bin")) / "pg_dump"
    command = [str(pg_dump), "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], db["NAME"]]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.mark.usefixtures("restores_what_the_flush_removes")
def test_a_database_dump_contains_no_identity_in_clear(
    transactional_db: None, tree: None, seat_agent: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    citizen = make_citizen()
    written = letter_submit(
        mailbox=gd_mailbox, actor=citizen, letter_type=LetterType.COMPLAINT, channel=Channel.WEB,
        subject="派出所民警办事拖延", text="我于上月到派出所办理户籍迁移，民警多次推诿。",
        division_code="440106", address="广州市天河区天河路",
    ).letter  # fmt: skip
    called = anonymous_call(seat_agent, gd_mailbox)
    identity_reveal(letter=written, actor=acceptor, category="contact", reason="回电核实情况")
    identity_reveal(letter=called, actor=acceptor, category="contact", reason="回拨核实")
    drain()  # notifications and their SMS deliveries are written now

    dump = database_dump()

    assert "xv1:" in dump  # the identities are there, encrypted, and so are the rows that follow them
    assert Delivery.objects.filter(channel="sms", notification__recipient__isnull=True).exists()  # to the caller
    assert Delivery.objects.filter(channel="sms", notification__recipient=citizen).exists()
    assert AuditEntry.objects.filter(kind=AuditKind.IDENTITY_REVEAL).count() == 2
    assert LetterEvent.objects.filter(letter__in=[written, called]).count() >= 2
    for value in (NAME, ID_NUMBER, PHONE, ADDRESS, CALLER_PHONE):
        escaped = json.dumps(value)[1:-1]  # as a JSON column stores it on SQLite
        assert value not in dump and escaped not in dump, value
