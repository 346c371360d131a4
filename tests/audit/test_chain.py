"""The hash chain: whole when untouched; any changed, removed, inserted or reordered row is found and named.

Tampering is done in SQL, as someone with access to the database would do it; on PostgreSQL the
``tamperable`` fixture first switches off the append-only trigger for the test's transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from itertools import pairwise

import pytest

from tests.audit.conftest import sql
from xinfang.audit.models import GENESIS_HASH, AppendOnlyError, AuditEntry, entry_hash
from xinfang.audit.selectors import audit_chain_verify

SEEDS = range(4)
pytestmark = pytest.mark.usefixtures("tamperable")


def first_broken() -> int | None:
    report = audit_chain_verify()
    return report.first_break.sequence if report.first_break else None


def pick(seed: int, chain: list[AuditEntry], *, spare_last: bool = False) -> AuditEntry:
    return random.Random(seed).choice(chain[:-1] if spare_last else chain)


def test_an_untouched_chain_is_whole_and_each_row_links_to_the_one_before(chain: list[AuditEntry]) -> None:
    report = audit_chain_verify()

    assert report.intact
    assert report.count == len(chain)
    assert report.head_hash == chain[-1].hash
    assert [e.sequence for e in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(chain))


def test_an_empty_log_is_whole(db: None) -> None:
    assert audit_chain_verify().intact


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"step": 99}'),
        ("kind", "sign_out"),
        ("subject_id", "someone-else"),
        ("at", "2020-01-01 00:00:00"),
        ("actor_id", None),
    ],
)
def test_it_names_a_row_whose_contents_were_changed(
    chain: list[AuditEntry], seed: int, column: str, value: object
) -> None:
    victim = pick(seed, chain)
    if column == "actor_id" and victim.actor_id is None:
        value = next(e.actor_id for e in chain if e.actor_id is not None)
    sql(f"UPDATE {{table}} SET {column} = %s WHERE sequence = %s", [value, victim.sequence])  # noqa: S608

    assert first_broken() == victim.sequence


@pytest.mark.parametrize("seed", SEEDS)
def test_it_names_the_row_after_a_removed_one(chain: list[AuditEntry], seed: int) -> None:
    victim = pick(seed, chain, spare_last=True)
    sql("DELETE FROM {table} WHERE sequence = %s", [victim.sequence])

    assert first_broken() == victim.sequence + 1


@pytest.mark.parametrize("seed", SEEDS)
def test_it_names_the_row_after_one_altered_and_rehashed(chain: list[AuditEntry], seed: int) -> None:
    """A forger who also recomputes the altered row's own hash still breaks the link to the next row."""
    victim = pick(seed, chain, spare_last=True)
    forged = entry_hash(
        sequence=victim.sequence, at=victim.at, kind=victim.kind, actor_id=victim.actor_id,
        subject_type=victim.subject_type, subject_id="forged", data=victim.data, prev_hash=victim.prev_hash,
    )  # fmt: skip
    sql("UPDATE {table} SET subject_id = 'forged', hash = %s WHERE sequence = %s", [forged, victim.sequence])

    assert first_broken() == victim.sequence + 1


@pytest.mark.parametrize("seed", SEEDS)
def test_it_names_the_first_of_two_rows_that_changed_places(chain: list[AuditEntry], seed: int) -> None:
    first, second = sorted(random.Random(seed).sample(range(1, len(chain) + 1), 2))
    parked = 10**9
    sql("UPDATE {table} SET sequence = %s WHERE sequence = %s", [parked, first])
    sql("UPDATE {table} SET sequence = %s WHERE sequence = %s", [first, second])
    sql("UPDATE {table} SET sequence = %s WHERE sequence = %s", [second, parked])

    assert first_broken() == first


@pytest.mark.parametrize("seed", SEEDS)
def test_it_names_the_row_after_an_inserted_one(chain: list[AuditEntry], seed: int) -> None:
    """The inserted row is itself well formed (chained to the row before it); the row after it no longer fits."""
    position = pick(seed, chain).sequence
    before = chain[position - 2].hash if position > 1 else GENESIS_HASH
    at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    forged = entry_hash(
        sequence=position, at=at, kind="export", actor_id=None, subject_type="", subject_id="", data={},
        prev_hash=before,
    )  # fmt: skip
    sql("UPDATE {table} SET sequence = sequence + 1000000 WHERE sequence >= %s", [position])
    sql("UPDATE {table} SET sequence = sequence - 999999 WHERE sequence >= 1000000")
    sql(
        "INSERT INTO {table} (sequence, at, kind, actor_id, subject_type, subject_id, data, prev_hash, hash)"
        " VALUES (%s, %s, 'export', NULL, '', '', '{{}}', %s, %s)",
        [position, at, before, forged],
    )

    assert first_broken() == position + 1


def test_an_anchor_catches_rows_cut_off_the_end(chain: list[AuditEntry]) -> None:
    anchor = (chain[-1].sequence, chain[-1].hash)
    sql("DELETE FROM {table} WHERE sequence >= %s", [chain[-2].sequence])

    assert audit_chain_verify().intact  # the chain alone cannot tell
    report = audit_chain_verify(anchor=anchor)
    assert report.first_break is not None
    assert report.first_break.sequence == chain[-1].sequence
    assert report.count == len(chain) - 2


def test_an_anchor_catches_a_chain_rewritten_from_the_start(chain: list[AuditEntry]) -> None:
    anchor = (chain[4].sequence, chain[4].hash)
    sql("UPDATE {table} SET hash = %s WHERE sequence = %s", ["f" * 64, chain[4].sequence])

    report = audit_chain_verify(anchor=anchor)
    assert report.first_break is not None
    assert report.first_break.sequence == chain[4].sequence


def test_the_application_cannot_change_or_delete_a_row(chain: list[AuditEntry]) -> None:
    entry = chain[3]
    entry.data = {"step": 99}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(kind="export")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert audit_chain_verify().intact


def test_dates_uuids_and_floats_are_stored_as_the_strings_that_were_hashed(chain: list[AuditEntry]) -> None:
    stored = AuditEntry.objects.get(pk=chain[-1].pk)

    assert stored.data["on"] == "2026-11-12"
    assert stored.data["share"] == str(11 / 3)
    assert stored.subject_id == "00000000-0000-0000-0000-00000000000b"
