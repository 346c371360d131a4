"""``manage.py audit_verify``: check the whole audit chain; exit 1 naming the first broken row."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xinfang.audit.selectors import audit_chain_verify

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero and name the first broken row if it was tampered with."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            help="SEQUENCE:HASH of a row noted earlier (a previous run prints the head); also catches a cut-off end",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify(anchor=_anchor(options["anchor"]))
        if report.first_break is not None:
            broken = report.first_break
            values = {"sequence": broken.sequence, "id": broken.entry_id or "-", "reason": broken.reason}
            raise CommandError(
                _("审计日志被篡改：第 %(sequence)d 条记录（id %(id)s）出错。%(reason)s 此前 %(count)d 条完好。")
                % {**values, "count": report.count}
            )
        self.stdout.write(
            _("审计日志完好：共 %(count)d 条记录。链尾 %(sequence)d:%(hash)s")
            % {"count": report.count, "sequence": report.head_sequence, "hash": report.head_hash}
        )


def _anchor(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    match = ANCHOR.match(value.strip())
    if match is None:
        raise CommandError(_("锚点格式应为 序号:64位十六进制哈希。"))
    return int(match.group(1)), match.group(2)
