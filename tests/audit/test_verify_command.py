"""``manage.py audit_verify``: prints the count when whole; exits non-zero naming the first broken row."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.audit.conftest import sql
from xinfang.audit.models import AuditEntry

pytestmark = pytest.mark.usefixtures("tamperable")


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_count_and_the_head_when_the_chain_is_whole(chain: list[AuditEntry]) -> None:
    output = verify()

    assert f"共 {len(chain)} 条记录" in output
    assert f"{chain[-1].sequence}:{chain[-1].hash}" in output


def test_it_fails_and_names_the_altered_row(chain: list[AuditEntry]) -> None:
    victim = chain[5]
    sql("UPDATE {table} SET subject_id = 'x' WHERE id = %s", [victim.pk])

    with pytest.raises(CommandError) as failure:
        verify()

    assert failure.value.returncode != 0
    assert f"第 {victim.sequence} 条记录（id {victim.pk}）" in str(failure.value)
    assert "被改动" in str(failure.value)


def test_it_fails_and_names_the_row_after_a_deleted_one(chain: list[AuditEntry]) -> None:
    sql("DELETE FROM {table} WHERE id = %s", [chain[3].pk])

    with pytest.raises(CommandError, match=f"第 {chain[4].sequence} 条记录"):
        verify()


def test_a_noted_head_catches_a_cut_off_end(chain: list[AuditEntry]) -> None:
    head = verify().strip().rsplit(" ", 1)[-1]
    sql("DELETE FROM {table} WHERE id = %s", [chain[-1].pk])

    verify()  # the chain alone still looks whole
    with pytest.raises(CommandError, match=f"第 {chain[-1].sequence} 条记录"):
        verify("--anchor", head)


def test_it_refuses_a_malformed_anchor(chain: list[AuditEntry]) -> None:
    with pytest.raises(CommandError, match="锚点格式"):
        verify("--anchor", "12:not-a-hash")
