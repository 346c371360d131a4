"""``manage.py audit_verify``: prints the count and the latest head when whole; exits 1 naming the first
position that disagrees (the chain's version passed an emptied table as whole)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.audit.conftest import sql
from xinfang.audit.models import AuditEntry, LogLeaf, TreeHead
from xinfang.audit.sealing import head_json, sink_write

pytestmark = pytest.mark.usefixtures("tamperable")


def verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=out)
    return out.getvalue()


def failing() -> str:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("audit_verify", stdout=out, stderr=out)
    assert exit_.value.code == 1
    return out.getvalue()


def test_it_prints_the_count_and_the_head_when_the_log_is_whole(chain: list[AuditEntry]) -> None:
    output = verify()
    head = TreeHead.objects.order_by("-tree_size").first()

    assert head is not None
    assert f"共 {len(chain)} 条已封存，2 个签名树头" in output
    assert f"{head.tree_size}:{head.root_hash}" in output


def test_it_fails_and_names_the_altered_row(chain: list[AuditEntry]) -> None:
    victim = chain[5]
    sql("UPDATE {table} SET subject_id = 'x' WHERE id = %s", [victim.pk])

    output = failing()

    assert f"从第 {LogLeaf.objects.get(entry=victim).index} 个位置起不一致" in output
    assert "被改动" in output


def test_it_fails_when_the_whole_log_was_emptied(chain: list[AuditEntry]) -> None:
    for head in TreeHead.objects.all():
        sink_write(head_json(head))
    for table in ("{leaves}", "{heads}", "{table}"):
        sql(f"DELETE FROM {table}")  # noqa: S608

    output = failing()

    assert "从第 0 个位置起不一致" in output
    assert "整个日志被删除" in output
