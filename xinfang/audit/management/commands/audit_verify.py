"""``manage.py audit_verify``: recompute the log's tree and check it against every signed head; exit 1 naming
the first position that disagrees."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from xinfang.audit.selectors import log_verify
from xinfang.audit.verification import Problem


def reasons() -> dict[str, str]:
    return {
        "leaf_missing": _("日志在此处缺了一个位置：有记录被删除或调换。"),
        "entry_missing": _("此位置的审计记录不见了：它被删除了。"),
        "entry_changed": _("此位置的审计记录与封存时的哈希不符：它被改动或调换过。"),
        "entry_backdated": _("此位置的审计记录日期早于它之前的签名树头：它是后来插进去的。"),
        "head_signature": _("一个签名树头的签名不对：它是伪造或被改动的。"),
        "log_shorter": _("日志比一个签名树头短：末尾的记录或整个日志被删除了。"),
        "root_mismatch": _("从记录重算的根哈希与签名树头不符：此后有记录被删除、插入、调换、改动或重新计算了哈希。"),
        "head_missing": _("外部副本中的一个签名树头在数据库里不见了：它被删除了。"),
    }


def describe(problem: Problem) -> str:
    text = _("审计日志被篡改：从第 %(position)d 个位置起不一致。%(reason)s") % {
        "position": problem.position,
        "reason": reasons()[problem.code],
    }
    if problem.tree_size is not None:
        text += " " + _("（由大小为 %(size)d 的签名树头发现）") % {"size": problem.tree_size}
    return text


class Command(BaseCommand):
    help = (
        "Verify the transparency log against every signed tree head (database and sink); "
        "exit 1 naming the first position that disagrees."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = log_verify()
        if report.problem is not None:
            self.stderr.write(describe(report.problem))
            raise SystemExit(1)
        head = report.head
        self.stdout.write(
            _("审计日志完好：共 %(count)d 条已封存，%(heads)d 个签名树头。最新树头 %(size)d:%(root)s")
            % {
                "count": report.leaves,
                "heads": report.heads,
                "size": head["tree_size"] if head else 0,
                "root": head["root_hash"] if head else "-",
            }
        )
