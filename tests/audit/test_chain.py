"""The log in the database: whole when untouched; a row changed, removed, inserted or reordered, a tail
re-hashed, a head forged, or the tables emptied is found, with the first position that disagrees.

Tampering is done in SQL, as someone with access to the database would do it; on PostgreSQL the
``tamperable`` fixture first switches off the append-only triggers for the test's transaction.
(Before the transparency log the chain passed a rewritten tail and an emptied table as whole.)
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.audit.conftest import sql
from xinfang.audit import merkle
from xinfang.audit.models import AppendOnlyError, AuditEntry, LogLeaf, TreeHead, leaf_bytes, leaf_fields
from xinfang.audit.sealing import head_json, log_seal, sink_write
from xinfang.audit.selectors import log_verify
from xinfang.audit.verification import Problem

SEEDS = range(4)
pytestmark = pytest.mark.usefixtures("tamperable")


def first_problem() -> Problem | None:
    return log_verify().problem


def index_of(entry: AuditEntry) -> int:
    return LogLeaf.objects.get(entry=entry).index


def pick(seed: int, chain: list[AuditEntry]) -> AuditEntry:
    return random.Random(seed).choice(chain[:-1])


def heads_to_sink() -> None:
    for head in TreeHead.objects.all():
        sink_write(head_json(head))


def first_head_size() -> int:
    return TreeHead.objects.order_by("tree_size").values_list("tree_size", flat=True)[0]


def segment_start(position: int) -> int:
    """Where the signed head that first covers ``position`` began: the best a head alone can tell."""
    return 0 if position < first_head_size() else first_head_size()


def test_an_untouched_log_is_whole_and_every_entry_has_its_place(chain: list[AuditEntry]) -> None:
    heads_to_sink()
    report = log_verify()

    assert report.intact
    assert report.leaves == len(chain)
    assert report.heads == 2
    assert [index_of(e) for e in chain] == list(range(len(chain)))
    assert report.head is not None and report.head["tree_size"] == len(chain)


def test_an_empty_log_is_whole(db: None) -> None:
    assert log_verify().intact


def test_sealing_again_with_nothing_new_writes_no_head(chain: list[AuditEntry]) -> None:
    assert log_seal() is None
    assert TreeHead.objects.count() == 2


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
    sql(f"UPDATE {{table}} SET {column} = %s WHERE id = %s", [value, victim.pk])  # noqa: S608

    assert first_problem() == Problem(index_of(victim), "entry_changed")


@pytest.mark.parametrize("seed", SEEDS)
def test_it_names_the_place_of_a_removed_row(chain: list[AuditEntry], seed: int) -> None:
    victim = pick(seed, chain)
    position = index_of(victim)
    sql("DELETE FROM {table} WHERE id = %s", [victim.pk])

    assert first_problem() == Problem(position, "entry_missing")
    sql("DELETE FROM {leaves} WHERE entry_id = %s", [victim.pk])
    assert first_problem() == Problem(position, "leaf_missing")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_row_altered_with_its_leaf_rehashed_disagrees_with_the_signed_head(
    chain: list[AuditEntry], seed: int
) -> None:
    """A forger who also recomputes the leaf hash cannot recompute the signed root."""
    victim = pick(seed, chain)
    position = index_of(victim)
    forged = {**victim.leaf(), "subject_id": "forged"}
    sql("UPDATE {table} SET subject_id = 'forged' WHERE id = %s", [victim.pk])
    sql("UPDATE {leaves} SET hash = %s WHERE entry_id = %s", [merkle.leaf_hash(leaf_bytes(forged)).hex(), victim.pk])

    problem = first_problem()
    assert problem is not None and problem.code == "root_mismatch"
    assert problem.position == segment_start(position)


@pytest.mark.parametrize("seed", SEEDS)
def test_it_names_the_first_of_two_rows_that_changed_places(chain: list[AuditEntry], seed: int) -> None:
    first, second = sorted(random.Random(seed).sample(range(len(chain)), 2))
    a, b = chain[first].pk, chain[second].pk
    sql('UPDATE {leaves} SET entry_id = %s WHERE "index" = %s', [-1, first])
    sql('UPDATE {leaves} SET entry_id = %s WHERE "index" = %s', [a, second])
    sql('UPDATE {leaves} SET entry_id = %s WHERE "index" = %s', [b, first])

    assert first_problem() == Problem(first, "entry_changed")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_tail_rewritten_from_a_removed_row_on_is_caught_by_the_signed_heads(
    chain: list[AuditEntry], seed: int
) -> None:
    """The attack the hash chain let through: remove a row, renumber and re-hash everything after it."""
    victim = pick(seed, chain)
    position = index_of(victim)
    sql('DELETE FROM {leaves} WHERE "index" >= %s', [position])
    sql("DELETE FROM {table} WHERE id = %s", [victim.pk])
    for n, entry in enumerate(e for e in chain[position:] if e.pk != victim.pk):
        leaf = merkle.leaf_hash(leaf_bytes(entry.leaf())).hex()
        sql('INSERT INTO {leaves} ("index", entry_id, hash) VALUES (%s, %s, %s)', [position + n, entry.pk, leaf])

    problem = first_problem()
    assert problem is not None and problem.code in {"root_mismatch", "log_shorter"}
    assert problem.position <= position


def test_a_row_inserted_later_with_an_old_date_is_named_once_sealed(chain: list[AuditEntry]) -> None:
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    sql(
        "INSERT INTO {table} (at, kind, subject_type, subject_id, data) VALUES (%s, 'export', '', '', '{{}}')",
        [long_ago],
    )
    log_seal()

    assert first_problem() == Problem(len(chain), "entry_backdated", len(chain) + 1)


def test_the_sink_catches_rows_cut_off_the_end_with_their_head(chain: list[AuditEntry]) -> None:
    heads_to_sink()
    sql('DELETE FROM {leaves} WHERE "index" >= %s', [first_head_size()])
    sql("DELETE FROM {heads} WHERE tree_size > %s", [first_head_size()])

    assert first_problem() == Problem(first_head_size(), "log_shorter", len(chain))


def test_the_sink_catches_an_emptied_log(chain: list[AuditEntry]) -> None:
    heads_to_sink()
    first = first_head_size()
    for table in ("{leaves}", "{heads}", "{table}"):
        sql(f"DELETE FROM {table}")  # noqa: S608

    assert first_problem() == Problem(0, "log_shorter", first)


def test_the_sink_catches_a_deleted_head(chain: list[AuditEntry]) -> None:
    heads_to_sink()
    first = first_head_size()
    sql("DELETE FROM {heads} WHERE tree_size = %s", [first])

    assert first_problem() == Problem(first, "head_missing", first)


def test_a_forged_head_is_refused_by_its_signature(chain: list[AuditEntry]) -> None:
    sql("UPDATE {heads} SET root_hash = %s WHERE tree_size = %s", ["f" * 64, len(chain)])

    assert first_problem() == Problem(first_head_size(), "head_signature", len(chain))


def test_the_application_cannot_change_or_delete_a_row(chain: list[AuditEntry]) -> None:
    entry = chain[3]
    entry.data = {"step": 99}
    leaf, head = LogLeaf.objects.first(), TreeHead.objects.first()
    for row in (entry, leaf, head):
        assert row is not None
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
    for model in (AuditEntry, LogLeaf, TreeHead):
        with pytest.raises(AppendOnlyError):
            model.objects.all().update(pk=1)
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()
    assert log_verify().intact


def test_dates_uuids_and_floats_are_stored_as_the_strings_that_were_hashed(chain: list[AuditEntry]) -> None:
    stored = AuditEntry.objects.get(pk=chain[-1].pk)

    assert stored.data["on"] == "2026-11-12"
    assert stored.data["share"] == str(11 / 3)
    assert stored.subject_id == "00000000-0000-0000-0000-00000000000b"
    leaf = LogLeaf.objects.get(entry=stored)
    assert merkle.leaf_hash(leaf_bytes(leaf_fields(AuditEntry.objects.values().get(pk=stored.pk)))).hex() == leaf.hash
